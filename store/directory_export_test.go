package store

import "context"

// TellDirectoryForTest sets a fresh token in kv as another instance's directory write would.
func TellDirectoryForTest(ctx context.Context, kv *KV) error {
	return kv.Set(ctx, dirKVKey, newToken(), 0)
}
