package store

import "context"

// FlushScripts makes the server forget its cached scripts, as a restart does.
func (k *KV) FlushScripts(ctx context.Context) error { return k.rdb.ScriptFlush(ctx).Err() }
