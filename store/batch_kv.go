package store

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// A batch's KV writes (the handlers' dialog state: Get, Set, Del) are held until the batch commits
// and dropped when it does not: a message redone on its own after its batch was lost then finds the
// dialog (a pending question) as it was, and is answered once, as if the batch had never run.

type kvOp struct {
	val string
	ttl time.Duration
	del bool
}

type kvOverlay struct {
	mu   sync.Mutex
	kv   *KV             // the KV the writes belong to (the first one used under the batch)
	held map[string]kvOp // applied at commit
	at   map[string]time.Time
	read map[string]kvOp // what was read ahead (KV.ReadAhead; del: absent), answered when nothing is held
}

func newKVOverlay() *kvOverlay {
	return &kvOverlay{held: map[string]kvOp{}, at: map[string]time.Time{}, read: map[string]kvOp{}}
}

// overlayOf is the overlay of the batch under ctx when k is the KV it holds writes for.
func overlayOf(ctx context.Context, k *KV) *kvOverlay {
	b, ok := ctx.Value(batchKey{}).(*batch)
	if !ok {
		return nil
	}
	o := b.kv
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.kv == nil {
		o.kv = k
	}
	if o.kv != k {
		return nil
	}
	return o
}

// get answers from the held writes; ok is false when none touched key.
func (o *kvOverlay) get(key string) (string, error, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	op, ok := o.held[key]
	if !ok {
		op, ok = o.read[key]
	}
	switch {
	case !ok:
		return "", nil, false
	case op.del || (op.ttl > 0 && time.Since(o.at[key]) >= op.ttl):
		return "", ErrNotFound, true
	}
	return op.val, nil, true
}

func (o *kvOverlay) put(key string, op kvOp) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.held[key] = op
	o.at[key] = time.Now()
}

// apply writes the held writes once the batch committed. A failure is what a KV outage during the
// handler would have been: the dialog is lost, the report is not (handlers live with that).
func (o *kvOverlay) apply(ctx context.Context, log *slog.Logger) {
	if o.kv == nil {
		return
	}
	for key, op := range o.held {
		var err error
		if op.del {
			err = o.kv.Del(ctx, key)
		} else {
			ttl := op.ttl
			if ttl > 0 {
				ttl -= time.Since(o.at[key])
				if ttl <= 0 {
					ttl = time.Millisecond
				}
			}
			err = o.kv.Set(ctx, key, op.val, ttl)
		}
		if err != nil {
			log.Warn("kv write of a committed batch not applied", "err", err)
		}
	}
}
