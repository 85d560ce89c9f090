package store

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// A batch's KV writes (the handlers' dialog state: Get, Set, Del) are held until the batch commits
// and dropped with a step that is rolled back: a message redone on its own after its batch was lost
// then finds the dialog as it was, and is answered once, as if the batch had never run.

type kvOp struct {
	val string
	ttl time.Duration
	del bool
}

type kvOverlay struct {
	mu   sync.Mutex
	kv   *KV             // the KV the writes belong to (the first one used under the batch)
	done map[string]kvOp // writes of finished steps, applied at commit
	step map[string]kvOp // writes of the running step
	at   map[string]time.Time
}

func newKVOverlay() *kvOverlay {
	return &kvOverlay{done: map[string]kvOp{}, step: map[string]kvOp{}, at: map[string]time.Time{}}
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
	op, ok := o.step[key]
	if !ok {
		op, ok = o.done[key]
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
	o.step[key] = op
	o.at[key] = time.Now()
}

// endStep keeps the running step's writes (kept) or drops them.
func (o *kvOverlay) endStep(kept bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if kept {
		for k, op := range o.step {
			o.done[k] = op
		}
	}
	clear(o.step)
}

// apply writes the held writes once the batch committed. A failure is what a KV outage during the
// handler would have been: the dialog is lost, the report is not (handlers live with that).
func (o *kvOverlay) apply(ctx context.Context, log *slog.Logger) {
	o.endStep(true)
	if o.kv == nil {
		return
	}
	for key, op := range o.done {
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
