package bot

import (
	"context"
	"errors"
	"time"

	"qinqi/store"
)

// Group commit: each serial queue takes the messages already waiting on it (up to batchMax, waiting
// at most batchWait for more while other messages are in flight) and handles them in one database
// transaction, one savepoint per message: the inbox row, the handler's writes, the replies and the
// "done" mark of every message commit together. A message whose step fails is rolled back alone and
// then goes the old way (stored on its own, handled, retried or quarantined); a lost transaction
// (deadlock, dead connection) commits nothing and every message of it goes the old way. The
// transport hears that a message is durable only after the commit (or from the old way).

// BatchStore is the part of the store that runs a batch (*store.Store implements it); an InboxStore
// without it handles each message the old way.
type BatchStore interface {
	Batch(ctx context.Context, fn func(ctx context.Context) error) error
	Step(ctx context.Context, fn func(ctx context.Context) error) error
}

const (
	batchMax  = 16                      // messages per transaction
	batchWait = 1500 * time.Microsecond // longest a queue waits for more messages to share a commit
)

// work runs one serial queue until it is closed.
func (in *Inbox) work(ctx context.Context, ch chan inboxJob) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for j := range ch {
		jobs := in.gather(ch, j, timer)
		for len(jobs) > 0 {
			if !batchable(jobs[0]) {
				in.process(ctx, jobs[0])
				jobs = jobs[1:]
				continue
			}
			n := 1
			for n < len(jobs) && batchable(jobs[n]) {
				n++
			}
			in.batch(ctx, jobs[:n])
			jobs = jobs[n:]
		}
	}
}

// batchable: fresh messages; a friend request acts on WeChat while it is handled, so it is never
// part of a transaction that might be redone.
func batchable(j inboxJob) bool { return j.row.ID == 0 && j.msg.Kind != KindFriendRequest }

// gather takes what is already queued behind first, and waits up to batchWait for more while other
// messages are in flight (they are what a shared commit would wait for anyway).
func (in *Inbox) gather(ch chan inboxJob, first inboxJob, timer *time.Timer) []inboxJob {
	jobs := []inboxJob{first}
	if _, ok := in.o.Store.(BatchStore); !ok || !batchable(first) {
		return jobs
	}
	waited := false
	for len(jobs) < batchMax {
		select {
		case j, ok := <-ch:
			if !ok {
				return jobs
			}
			jobs = append(jobs, j)
			continue
		default:
		}
		if waited || in.pending.Load() <= int64(len(jobs)) {
			return jobs
		}
		waited = true
		timer.Reset(batchWait)
		select {
		case j, ok := <-ch:
			if !timer.Stop() {
				<-timer.C
			}
			if !ok {
				return jobs
			}
			jobs = append(jobs, j)
			waited = false // keep draining while messages keep arriving within the wait
		case <-timer.C:
		}
	}
	return jobs
}

// batch handles fresh messages in one transaction. It stops at the first message whose step fails:
// the ones before it commit, it goes the old way, and the rest form the next batch, so one sender's
// messages keep their order.
func (in *Inbox) batch(ctx context.Context, jobs []inboxJob) {
	bs, ok := in.o.Store.(BatchStore)
	if !ok || in.replaying.Load() || in.o.Spool.Pending() {
		for _, j := range jobs {
			in.process(ctx, j)
		}
		return
	}
	for len(jobs) > 0 {
		stop, stepErr, err := in.commitBatch(ctx, bs, jobs)
		if err != nil {
			in.log.Warn("batch not committed; its messages are handled one by one", "messages", len(jobs), "err", err)
			for _, j := range jobs {
				in.process(ctx, fresh(j))
			}
			return
		}
		in.finishBatch(jobs[:stop])
		if stop == len(jobs) {
			return
		}
		var he handleErr
		switch {
		case errors.As(stepErr, &he): // stored, then its handling failed: that was its first try
			in.log.Info("message taken out of its batch, stored on its own", "err", stepErr)
			in.processAfter(ctx, fresh(jobs[stop]), he.err)
		default: // its row was not stored: the old way decides (a value the database refuses, an outage)
			j := jobs[stop]
			in.saved(ctx, j.msg, store.InboxMessage{}, door{}, stepErr)
			j.durable()
		}
		jobs = jobs[stop+1:]
	}
}

// commitBatch runs jobs as steps of one transaction up to the first failing one (stop, with its
// error) and commits them; err says nothing was committed.
func (in *Inbox) commitBatch(ctx context.Context, bs BatchStore, jobs []inboxJob) (stop int, stepErr, err error) {
	stop = len(jobs)
	err = bs.Batch(ctx, func(bctx context.Context) error {
		for i := range jobs {
			serr := bs.Step(bctx, func(sctx context.Context) error { return in.step(sctx, &jobs[i]) })
			if errors.Is(serr, store.ErrBatchLost) {
				return serr
			}
			if serr != nil {
				stop, stepErr = i, serr
				return nil
			}
		}
		return nil
	})
	return stop, stepErr, err
}

// step stores, handles and completes one message inside the batch.
func (in *Inbox) step(ctx context.Context, j *inboxJob) error {
	row, d, err := in.save(ctx, j.msg)
	if err != nil {
		return err
	}
	j.row, j.door = row, d
	hctx := ctx
	// The sender cache is not filled from a transaction that wrote the directory and may roll back.
	if in.o.Directory != nil && !store.DirectoryWritten(ctx) {
		hctx = in.o.Directory.Begin(ctx)
	}
	res, err := in.outcome(hctx, *j)
	if err == nil {
		err = in.o.Store.CompleteInbound(hctx, row.ID, res, in.o.Clock.Now())
	}
	if err != nil {
		return handleErr{err}
	}
	return nil
}

// handleErr is a step that stored its message and then failed to handle or complete it.
type handleErr struct{ err error }

func (e handleErr) Error() string { return e.err.Error() }
func (e handleErr) Unwrap() error { return e.err }

// finishBatch reports the committed messages durable and finished, and wakes the outbox once.
func (in *Inbox) finishBatch(done []inboxJob) {
	for _, j := range done {
		j.durable()
		in.pending.Add(-1)
	}
	if len(done) > 0 {
		in.o.Wake("")
	}
}

// fresh is j as it came from Accept: what a rolled-back step stored is gone.
func fresh(j inboxJob) inboxJob {
	j.row, j.door = store.InboxMessage{}, door{}
	return j
}
