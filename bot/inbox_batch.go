package bot

import (
	"context"
	"errors"
	"slices"
	"time"

	"qinqi/store"
)

// Group commit: each serial queue takes the messages already waiting on it (up to batchLimit, waiting
// at most batchWait for one on its way to it) and handles them in one database transaction: the
// inbox rows, the handlers' writes, the replies and the "done" marks of all of them commit
// together, or none of them does. A message takes no savepoint of its own (store.Batch says
// why), so a message that fails (a database error, a lost connection) loses the whole batch: nothing
// of it is committed, its dialog (KV) writes are dropped, and every message of it then goes the old
// way, in order (stored on its own, handled, retried or quarantined), against the state as it was
// before the batch: a message that answered a question in the batch finds the question again. The
// failing message's try counts as its first (unless the transaction itself was lost), so its handler
// runs as often as if it had never been in a batch. A handler's refusal is a reply, not a failure,
// and a repeated message id is dropped inside the batch (its INSERT fails alone), so a batch is lost
// only rarely. Nobody has been told anything of a lost batch: its replies were only in its outbox
// rows, and the transport hears that a message is durable only after the commit (or from the old way).

// BatchStore is the part of the store that runs a batch (*store.Store implements it); an InboxStore
// without it handles each message the old way.
type BatchStore interface {
	Batch(ctx context.Context, fn func(ctx context.Context) error) error
}

// InboxBatchSaver writes the inbox rows of a batch's messages at once, all or none (*store.Store
// implements it: one statement on MariaDB, store.ErrNotBatched elsewhere).
type InboxBatchSaver interface {
	SavesInboundAll(ctx context.Context) bool // whether SaveInboundAll can write under ctx
	SaveInboundAll(ctx context.Context, rows []*store.InboxMessage) error
}

// Messages per transaction: batchMax where several queues share the database's commits (MySQL's
// default four), batchMaxOne where one queue does all the writing (SQLite's default, config
// InboxWorkers): there every message waits for that queue's commit, and a larger batch shares it
// among more messages (fewer commits, less CPU a report; the commit is the largest part of SQLite's
// work). Both stay within what a batch's statements hold: SaveInboundAll's one INSERT takes up to
// 64 rows (flushSQLCached), and the held writes go in statements of bulkRows rows each.
const (
	batchMax    = 16
	batchMaxOne = 64
)

// batchLimit is the most messages one of in's queues puts in a transaction.
func (in *Inbox) batchLimit() int {
	if in.o.Workers == 1 {
		return batchMaxOne
	}
	return batchMax
}

// batchWait is the longest a queue waits for a message on its way to it (gather); a variable only
// for the test that sets it so long that a wait it must not take would never end.
var batchWait = 1500 * time.Microsecond

// work runs one serial queue until it is closed.
func (in *Inbox) work(ctx context.Context, q *queue) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for j := range q.ch {
		q.received(true)
		jobs := in.gather(q, j, timer)
		// The same-text checks of all of them and the reads of the batch they start with share a
		// round trip; a later batch, after a message handled on its own, reads on its own.
		jobs, ahead := in.readAhead(ctx, jobs, jobs[:batchRun(jobs)])
		for len(jobs) > 0 {
			n := batchRun(jobs)
			if n == 0 {
				in.process(ctx, jobs[0])
				jobs, ahead = jobs[1:], nil
				continue
			}
			if ahead == nil {
				_, ahead = in.readAhead(ctx, nil, jobs[:n])
			}
			in.batch(ctx, jobs[:n], ahead)
			jobs, ahead = jobs[n:], nil
		}
	}
}

// batchRun is how many of jobs, from the first, go in one batch.
func batchRun(jobs []inboxJob) int {
	n := 0
	for n < len(jobs) && batchable(jobs[n]) {
		n++
	}
	return n
}

// batchable: fresh messages; a friend request acts on WeChat while it is handled, so it is never
// part of a transaction that might be redone.
func batchable(j inboxJob) bool { return j.row.ID == 0 && j.msg.Kind != KindFriendRequest }

// gather takes what is already queued behind first, and waits up to batchWait for more only while
// a message is on its way to this queue (queue.coming: its sender is between Accept and the queue).
// It never waits for the messages of other queues, which cannot join the batch, nor when nothing
// is coming: a sender whose message is in the batch waits for its reply, so waiting for it to send
// again only delays the batch; under load the queue fills while a batch commits, and the next batch
// takes what it holds without any waiting.
func (in *Inbox) gather(q *queue, first inboxJob, timer *time.Timer) []inboxJob {
	jobs := []inboxJob{first}
	if _, ok := in.o.Store.(BatchStore); !ok || !batchable(first) {
		return jobs
	}
	waited, limit := false, in.batchLimit()
	for len(jobs) < limit {
		select {
		case j, ok := <-q.ch:
			if !q.received(ok) {
				return jobs
			}
			jobs = append(jobs, j)
			continue
		default:
		}
		if waited || q.coming.Load() == 0 {
			return jobs
		}
		waited = true
		timer.Reset(batchWait)
		select {
		case j, ok := <-q.ch:
			if !timer.Stop() {
				<-timer.C
			}
			if !q.received(ok) {
				return jobs
			}
			jobs = append(jobs, j)
			waited = false // keep draining while messages keep arriving within the wait
		case <-timer.C:
		}
	}
	return jobs
}

// batch handles fresh messages in one transaction, answering its reads from ahead when it read them
// ahead; when it is not committed, each goes the old way.
func (in *Inbox) batch(ctx context.Context, jobs []inboxJob, ahead *store.ReadAhead) {
	bs, ok := in.o.Store.(BatchStore)
	if !ok || slices.ContainsFunc(jobs, in.behindSpool) {
		for _, j := range jobs {
			in.process(ctx, j)
		}
		return
	}
	failed, err := in.commitBatch(ctx, bs, jobs, ahead)
	if err == nil {
		in.finishBatch(jobs)
		return
	}
	in.log.Warn("batch not committed; its messages are handled one by one", "messages", len(jobs), "err", err)
	in.redo(ctx, jobs, failed, err)
}

// redo sends the messages of a batch that was not committed the old way, in order. The one that
// failed (at index failed, with err) goes on from where it failed, unless the transaction was lost
// under it: its handling's failure is its first try, and its row's refused INSERT is decided on as
// the old way decides on it.
func (in *Inbox) redo(ctx context.Context, jobs []inboxJob, failed int, err error) {
	lost := errors.Is(err, store.ErrBatchLost)
	var he handleErr
	for i, j := range jobs {
		switch {
		case i != failed || lost:
			in.process(ctx, fresh(j))
		case errors.As(err, &he):
			in.processAfter(ctx, fresh(j), he.err)
		default: // a value the database refuses, an outage the transaction did not see
			in.saved(ctx, j.msg, store.InboxMessage{}, door{}, err)
			j.durable()
		}
	}
}

// commitBatch runs jobs in one transaction and commits it; a message that fails ends the
// transaction there, uncommitted, and failed is its index.
func (in *Inbox) commitBatch(ctx context.Context, bs BatchStore, jobs []inboxJob, ahead *store.ReadAhead) (failed int, err error) {
	failed = -1
	err = bs.Batch(store.WithReadAhead(ctx, ahead), func(bctx context.Context) error {
		in.readUnguessed(bctx, jobs)
		in.saveAll(bctx, jobs)
		for i := range jobs {
			if err := in.step(bctx, &jobs[i]); err != nil {
				failed = i
				return err
			}
		}
		return nil
	})
	return failed, err
}

// aheadKeys are the State keys a batch of jobs will read, for readAhead: the directory's token and
// the pending dialogs (Preloader) of the senders the directory knows; without a directory the
// database names them. Nothing without a BatchStore: only a batch is answered from what was read.
func (in *Inbox) aheadKeys(ctx context.Context, jobs []inboxJob) []string {
	if _, ok := in.o.Store.(BatchStore); !ok || len(jobs) == 0 {
		return nil
	}
	var keys []string
	if d, ok := in.o.Directory.(DirectoryAhead); ok {
		keys = d.AheadKeys()
	}
	p, ok := in.o.Handler.(Preloader)
	if !ok {
		return keys
	}
	if persons := in.senders(ctx, jobs, true); len(persons) > 0 {
		keys = append(keys, p.PreloadKeys(persons)...)
	}
	return keys
}

// readUnguessed reads, inside the batch under ctx, the dialogs of the senders the directory could
// not guess before it (their first message since this process started), all in one round trip.
func (in *Inbox) readUnguessed(ctx context.Context, jobs []inboxJob) {
	p, ok := in.o.Handler.(Preloader)
	if !ok {
		return
	}
	if persons := in.senders(ctx, jobs, false); len(persons) > 0 {
		_, _, _ = in.o.State.ReadAhead(ctx, nil, nil, 0, p.PreloadKeys(persons)) // a failure: each reads on its own
	}
}

// senders are the persons behind the senders of jobs whose dialogs a batch reads. Ahead of the
// transaction they are the directory's guesses (DirectoryAhead.Known), or without a directory the
// database's answers; inside it (!ahead), the senders the directory could not guess, read through it.
func (in *Inbox) senders(ctx context.Context, jobs []inboxJob, ahead bool) []int64 {
	d, _ := in.o.Directory.(DirectoryAhead)
	if d == nil && (!ahead || in.o.Directory != nil) {
		return nil
	}
	var persons []int64
	var dctx context.Context
	for _, j := range jobs {
		m := j.msg
		if m.Kind == KindFriendRequest || (m.Group && !m.AtBot) || (in.o.Trusted[m.Account] && m.Transport == consoleName) {
			continue
		}
		var pid int64
		known := false
		if d != nil {
			pid, known = d.Known(m.Transport, m.Account, m.SenderKey)
			if ahead != known {
				continue
			}
		}
		if !known {
			if dctx == nil {
				dctx = ctx
				if !ahead {
					dctx = in.o.Directory.Begin(ctx)
				}
			}
			id, err := in.o.Store.PersonByChatKey(dctx, m.Transport, m.Account, m.SenderKey)
			pid, known = int64(id), err == nil
		}
		if known && !slices.Contains(persons, pid) {
			persons = append(persons, pid)
		}
	}
	return persons
}

// saveAll writes the inbox rows of a batch's messages with one statement where the store can, and
// gives each job its row. When it cannot, or the statement fails (nothing of it is written then: a
// repeated message id among them, say), step saves each message on its own, which drops a repeated
// id alone and fails the batch on anything else, as without saveAll.
func (in *Inbox) saveAll(ctx context.Context, jobs []inboxJob) {
	bs, ok := in.o.Store.(InboxBatchSaver)
	if !ok || len(jobs) < 2 || !bs.SavesInboundAll(ctx) {
		return
	}
	rows := make([]store.InboxMessage, len(jobs))
	doors := make([]door, len(jobs))
	ptrs := make([]*store.InboxMessage, len(jobs))
	for i, j := range jobs {
		var err error
		if rows[i], doors[i], err = in.prepare(j.msg); err != nil {
			return
		}
		ptrs[i] = &rows[i]
	}
	if err := bs.SaveInboundAll(ctx, ptrs); err != nil {
		in.log.Debug("inbox rows of a batch not saved at once; saving them one by one", "err", err)
		return
	}
	for i := range jobs {
		jobs[i].row, jobs[i].door = rows[i], doors[i]
	}
}

// step stores (unless saveAll did), handles and completes one message inside the batch. A repeated
// message id is dropped there: its INSERT failed alone and left the transaction as it was.
func (in *Inbox) step(ctx context.Context, j *inboxJob) error {
	if j.row.ID == 0 {
		row, d, err := in.save(ctx, j.msg)
		if errors.Is(err, store.ErrDuplicate) {
			in.log.Debug("dropped duplicate message id", "transport", j.msg.Transport, "account", j.msg.Account)
			return nil
		}
		if err != nil {
			return err
		}
		j.row, j.door = row, d
	}
	hctx := ctx
	// The sender cache is not filled from a transaction that wrote the directory and may roll back.
	if in.o.Directory != nil && !store.DirectoryWritten(ctx) {
		hctx = in.o.Directory.Begin(ctx)
	}
	res, err := in.outcome(hctx, *j)
	if err == nil {
		err = in.o.Store.CompleteInbound(hctx, j.row.ID, res, in.o.Clock.Now())
	}
	if err != nil {
		return handleErr{err}
	}
	return nil
}

// handleErr is a message that was stored in the batch and then failed to be handled or completed.
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

// fresh is j as it came from Accept: what a rolled-back batch stored is gone.
func fresh(j inboxJob) inboxJob {
	j.row, j.door = store.InboxMessage{}, door{}
	return j
}
