package bot

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// InboxStore is what the inbox needs from the store (*store.Store implements it).
type InboxStore interface {
	IdentityStore
	Ping(ctx context.Context) error
	SaveInbound(ctx context.Context, m *store.InboxMessage) error
	UnfinishedInbox(ctx context.Context, limit int) ([]store.InboxMessage, error)
	CompleteInbound(ctx context.Context, id domain.InboxID, r store.InboxResult, now time.Time) error
	FailInboundTry(ctx context.Context, id domain.InboxID, reason string) (int, error)
}

// InboxOptions are the inbox's dependencies and settings; see NewInbox.
type InboxOptions struct {
	Store   InboxStore
	State   State
	Handler Handler
	Clock   clock.Clock
	Logger  *slog.Logger
	Spool   *Spool // where messages go while the database is down

	Messengers map[string]Messenger // bot account → transport: friend acceptance and spool notices
	Limits     map[string]Limits    // bot account → policy: the spool notices are rate-limited with it
	Trusted    map[string]bool      // accounts whose sender keys are person codes (the demo console)

	SameTextWindow time.Duration // same sender + same text within it is dropped (default 3 s)
	MaxBindTries   int           // failed bind tries in any hour, per sender and per person tried (default 5)
	MaxTries       int           // failed tries, while the database answers, before a message is quarantined (default 3)
	Workers        int           // senders are sharded over this many serial queues (default 4)
	Wake           func(account string)
	// Directory lets each message read its sender, the sender's person and households from a cache
	// that is valid for that message (*store.Directory); nil reads them from the database.
	Directory Directory
}

// Directory hands each message the context its sender reads use (see store.Directory).
type Directory interface {
	Begin(ctx context.Context) context.Context
}

// DirectoryAhead is a Directory that a batch's reads ahead can serve (*store.Directory): the State
// keys its Begin reads, and the person it last knew behind a chat key (a guess, to say whose
// dialogs to read ahead).
type DirectoryAhead interface {
	AheadKeys() []string
	Known(transport, account, key string) (int64, bool)
}

// Inbox makes every inbound message durable before it is handled, drops duplicates, resolves the
// sender, runs the handler and commits its replies to the outbox together with the "done" mark.
// Messages of one sender are handled in arrival order: they share one serial queue.
type Inbox struct {
	o      InboxOptions
	log    *slog.Logger
	binder binder

	mu       sync.Mutex
	shards   []*queue
	inflight map[domain.InboxID]bool
	wg       sync.WaitGroup

	pending     atomic.Int64 // accepted and not yet finished
	replaying   atomic.Bool  // ReplaySpool is storing and queueing the spool
	replays     atomic.Int64 // replays that queued spooled messages (behindSpool)
	needRecover atomic.Bool  // a completion failed: rows stayed "new"
}

// queueDepth bounds each serial queue: messages taken from a transport but not yet stored.
const queueDepth = 32

// queue is one serial queue of senders.
type queue struct {
	ch chan inboxJob
	// coming counts the sends to ch begun and not yet received: the messages on their way to this
	// queue, the only ones a batch of it may wait for (gather).
	coming atomic.Int64
}

// received counts off a receive from ch that got a message (ok), and returns ok.
func (q *queue) received(ok bool) bool {
	if ok {
		q.coming.Add(-1)
	}
	return ok
}

type inboxJob struct {
	row  store.InboxMessage
	msg  Message
	door door // what the door decided (refused as sent, or quarantined unread)
	// durable tells the transport that a message fresh from Accept is stored or spooled (see WhenDurable).
	durable func()
	epoch   int64 // Inbox.replays when it was accepted
}

// NewInbox checks the options and fills defaults; call Start before Accept.
func NewInbox(o InboxOptions) (*Inbox, error) {
	if o.Store == nil || o.State == nil || o.Handler == nil || o.Clock == nil || o.Spool == nil {
		return nil, errors.New("inbox: Store, State, Handler, Clock and Spool are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SameTextWindow <= 0 {
		o.SameTextWindow = 3 * time.Second
	}
	if o.MaxBindTries <= 0 {
		o.MaxBindTries = 5
	}
	if o.MaxTries <= 0 {
		o.MaxTries = 3
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Wake == nil {
		o.Wake = func(string) {}
	}
	in := &Inbox{o: o, log: o.Logger.With("component", "inbox"), inflight: map[domain.InboxID]bool{}}
	in.binder = binder{st: o.Store, state: o.State, clock: o.Clock, maxTries: o.MaxBindTries, log: in.log}
	return in, nil
}

// Start runs the per-sender queues; ctx is the work context (keep it alive until Stop returns).
func (in *Inbox) Start(ctx context.Context) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.shards = make([]*queue, in.o.Workers)
	for i := range in.shards {
		q := &queue{ch: make(chan inboxJob, queueDepth)}
		in.shards[i] = q
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			in.work(ctx, q)
		}()
	}
}

// Stop lets the queues drain and waits; call it after the transports stopped delivering.
func (in *Inbox) Stop() {
	in.mu.Lock()
	for _, q := range in.shards {
		close(q.ch)
	}
	in.shards = nil
	in.mu.Unlock()
	in.wg.Wait()
}

// Idle reports whether every accepted message is finished.
func (in *Inbox) Idle() bool { return in.pending.Load() == 0 }

// Accept takes one message from a transport and queues it on its sender's serial queue, where it
// is checked against the same-text window (readAhead), stored (or spooled) and then handled. It
// returns at once unless that queue is full: the transports' receive loops then wait instead of
// fetching more, so at most queueDepth messages per queue are taken from WeChat and not yet stored.
// Storing in the queues, not in the one receive loop of an account, lets the queues' inserts share
// the database's commits, and their same-text checks share a round trip to the KV.
// It is the callback to pass to Messenger.Receive. Under a context from WhenDurable it reports
// when the message is stored or spooled.
func (in *Inbox) Accept(ctx context.Context, m Message) {
	queued := false
	defer func() {
		if !queued {
			Durable(ctx)
		}
	}()
	if m.Time.IsZero() {
		m.Time = in.o.Clock.Now()
	}
	m, err := admit(m)
	if err != nil {
		in.log.Error("message dropped: no column holds it", "transport", m.Transport, "account", m.Account, "err", err)
		in.sendDirect(ctx, m, msgUnstorable)
		return
	}
	in.pending.Add(1)
	in.mu.Lock()
	j := inboxJob{msg: m, durable: func() { Durable(ctx) }, epoch: in.replays.Load()}
	if in.shards == nil {
		in.mu.Unlock()
		if kept, _ := in.readAhead(ctx, []inboxJob{j}, nil); len(kept) == 1 { // stopping: keep it for the next start
			in.toSpool(ctx, m)
		}
		return
	}
	q := in.shards[in.shardOf(m)]
	q.coming.Add(1)
	in.mu.Unlock()
	q.ch <- j
	queued = true
}

// store makes a queued message durable; ok is false when it was spooled, is a duplicate, or was
// quarantined because the database refused it.
func (in *Inbox) store(ctx context.Context, j inboxJob) (store.InboxMessage, door, bool) {
	m := j.msg
	if in.behindSpool(j) {
		in.toSpool(ctx, m)
		return store.InboxMessage{}, door{}, false
	}
	row, d, err := in.save(ctx, m)
	return in.saved(ctx, m, row, d, err)
}

// behindSpool says that fresh message j must go to the spool to keep its sender's order: messages
// wait there, or are being replayed, or a replay queued spooled messages behind j after j was
// accepted (they came before it, so j must not overtake them: it is replayed after them instead).
func (in *Inbox) behindSpool(j inboxJob) bool {
	return in.replaying.Load() || in.o.Spool.Pending() || j.epoch != in.replays.Load()
}

// saved is what store does once the INSERT of m's row returned err.
func (in *Inbox) saved(ctx context.Context, m Message, row store.InboxMessage, d door, err error) (store.InboxMessage, door, bool) {
	switch {
	case errors.Is(err, store.ErrDuplicate):
		in.pending.Add(-1)
		in.log.Debug("dropped duplicate message id", "transport", m.Transport, "account", m.Account)
		return row, d, false
	case store.IsDataError(err): // the message's fault, not the database's: it must not hold up the spool
		if qerr := in.unstorable(ctx, m, err); qerr != nil {
			in.toSpool(ctx, m)
			return row, d, false
		}
		in.pending.Add(-1)
		return row, d, false
	case err != nil:
		in.log.Warn("database unreachable, spooling message", "err", err)
		in.toSpool(ctx, m)
		return row, d, false
	}
	in.mu.Lock()
	in.inflight[row.ID] = true
	in.mu.Unlock()
	return row, d, true
}

// readAhead makes the KV reads of the messages a queue took at once in one round trip, before any
// transaction: the same-text checks of all of them, and what the batch run handles will read (see
// aheadKeys). A fresh message that repeats the same text by the same sender within the window
// (WeChat clients resend on a flaky network) is dropped; it runs on the sender's serial queue, and
// the checks run in order, so a repeat is judged after the message it repeats. Console lines are
// deliberate, so the console is exempt. When the KV fails the messages pass: a possible double beats
// a lost report; and what was not read ahead each message reads on its own.
func (in *Inbox) readAhead(ctx context.Context, jobs, run []inboxJob) ([]inboxJob, *store.ReadAhead) {
	var keys []string
	var nows []time.Time
	var at []int
	for i, j := range jobs {
		if key := sameTextKey(j); key != "" {
			keys, nows, at = append(keys, key), append(nows, j.msg.Time), append(at, i)
		}
	}
	gets := in.aheadKeys(ctx, run)
	if len(keys) == 0 && len(gets) == 0 {
		return jobs, nil
	}
	seen, ahead, err := in.o.State.ReadAhead(ctx, keys, nows, in.o.SameTextWindow, gets)
	if err != nil {
		in.log.Warn("same-text check failed", "err", err)
		return jobs, ahead
	}
	if len(keys) == 0 {
		return jobs, ahead
	}
	kept := jobs[:0]
	for i, j := range jobs {
		if n, ok := slices.BinarySearch(at, i); ok && seen[n] {
			in.log.Debug("dropped repeated text", "transport", j.msg.Transport, "account", j.msg.Account)
			j.durable()
			in.pending.Add(-1)
			continue
		}
		kept = append(kept, j)
	}
	return kept, ahead
}

// sameTextKey is the same-text window's key of a fresh text message, or "" when it has none.
func sameTextKey(j inboxJob) string {
	m := j.msg
	if j.row.ID != 0 || m.Kind != KindText || m.Text == "" || m.Transport == consoleName {
		return ""
	}
	sum := sha1.Sum([]byte(m.Text))
	return "inbox:same:" + m.Transport + ":" + m.Account + ":" + m.SenderKey + ":" + m.GroupKey + ":" + hex.EncodeToString(sum[:8])
}

// save writes the inbox row of an admitted message with the door's verdict; the payload keeps the
// message minus its text (stored in its own column, cut to it when the message is refused).
func (in *Inbox) save(ctx context.Context, m Message) (store.InboxMessage, door, error) {
	row, d, err := in.prepare(m)
	if err != nil {
		return row, d, err
	}
	err = in.o.Store.SaveInbound(ctx, &row)
	return row, d, err
}

// prepare is the inbox row of an admitted message, not yet written, and the door's verdict.
func (in *Inbox) prepare(m Message) (store.InboxMessage, door, error) {
	d := door{Refused: doorVerdict(m)}
	if d.Refused != "" { // kept only to show what came in: cut like the text
		m.MediaRef = cutBytes(m.MediaRef, maxRefBytes)
	}
	payload, err := encodePayload(m, d)
	if err != nil {
		return store.InboxMessage{}, d, err
	}
	return store.InboxMessage{Transport: m.Transport, Account: m.Account, MsgID: m.ID, SenderKey: m.SenderKey,
		Kind: string(m.Kind), Text: cutBytes(m.Text, maxTextBytes), Payload: payload, Status: store.InNew, ReceivedAt: m.Time}, d, nil
}

func (in *Inbox) shardOf(m Message) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(m.Transport + "\x00" + m.Account + "\x00" + m.SenderKey))
	return h.Sum32() % uint32(len(in.shards))
}

// dispatch queues a stored row (recovered or replayed) for handling.
func (in *Inbox) dispatch(row store.InboxMessage, m Message, d door) {
	in.mu.Lock()
	if in.shards == nil || in.inflight[row.ID] {
		in.mu.Unlock()
		in.pending.Add(-1)
		return
	}
	in.inflight[row.ID] = true
	q := in.shards[in.shardOf(m)]
	q.coming.Add(1)
	in.mu.Unlock()
	q.ch <- inboxJob{row: row, msg: m, door: d}
}

func (in *Inbox) process(ctx context.Context, j inboxJob) { in.processAfter(ctx, j, nil) }

// processAfter is process for a message whose handling already failed with tried in a batch that
// then committed without it: it is stored on its own and that failure counts as its first try, so
// the handler runs as often as if the message had never been in a batch.
func (in *Inbox) processAfter(ctx context.Context, j inboxJob, tried error) {
	if j.row.ID == 0 { // fresh from Accept
		row, d, ok := in.store(ctx, j)
		j.durable()
		if !ok {
			return
		}
		j.row, j.door = row, d
	}
	kept := false
	defer func() {
		in.mu.Lock()
		delete(in.inflight, j.row.ID)
		in.mu.Unlock()
		// Only now: a Recover that ran while the row was in flight skipped it, and must run again.
		if kept {
			in.needRecover.Store(true)
		}
		in.pending.Add(-1)
	}()
	err := tried
	if err == nil {
		err = in.handle(ctx, j)
	}
	if err != nil {
		kept = in.retryLater(ctx, j, err)
		return
	}
	in.o.Wake("")
}

// handle runs the handler on a stored message and commits its outcome.
func (in *Inbox) handle(ctx context.Context, j inboxJob) error {
	if in.o.Directory != nil {
		ctx = in.o.Directory.Begin(ctx)
	}
	res, err := in.outcome(ctx, j)
	if err != nil {
		return err
	}
	return in.o.Store.CompleteInbound(ctx, j.row.ID, res, in.o.Clock.Now())
}

// Recover queues every unfinished row again, oldest first (after a restart or a database outage).
func (in *Inbox) Recover(ctx context.Context) (int, error) {
	in.needRecover.Store(false)
	rows, err := in.o.Store.UnfinishedInbox(ctx, 10000)
	if err != nil {
		in.needRecover.Store(true)
		return 0, fmt.Errorf("inbox: recover: %w", err)
	}
	n := 0
	for _, row := range rows {
		in.mu.Lock()
		busy := in.inflight[row.ID]
		in.mu.Unlock()
		if busy {
			continue
		}
		m, d, err := decodePayload(row)
		if err != nil {
			in.quarantineUnreadable(ctx, row, err)
			continue
		}
		in.pending.Add(1)
		in.dispatch(row, m, d)
		n++
	}
	return n, nil
}

// ReplaySpool stores spooled messages now that the database answers, then recovers rows whose
// handling failed during the outage.
func (in *Inbox) ReplaySpool(ctx context.Context) (int, error) {
	// While the spool is replayed, the queues spool their fresh messages behind it (order), and
	// the replayed rows are queued only after the spool's lock is released: the queues need that
	// lock to spool, and a full queue must not wait on them.
	in.replaying.Store(true)
	defer in.replaying.Store(false)
	var saved []inboxJob
	n, err := in.o.Spool.Replay(ctx, func(ctx context.Context, m Message) error {
		m, err := admit(m) // spools written before the door existed hold anything
		if err != nil {
			in.log.Error("spooled message dropped: no column holds it", "transport", m.Transport, "account", m.Account, "err", err)
			return nil
		}
		row, d, err := in.save(ctx, m)
		switch {
		case errors.Is(err, store.ErrDuplicate):
			// Stored before: either handled already, or its INSERT committed while the error
			// came back (the database died before acknowledging). Recover handles it if unfinished.
			in.needRecover.Store(true)
			return nil
		case store.IsDataError(err): // quarantined, and the replay goes on behind it
			return in.unstorable(ctx, m, err)
		case err != nil:
			return err
		}
		saved = append(saved, inboxJob{row: row, msg: m, door: d})
		return nil
	})
	for _, j := range saved {
		in.pending.Add(1)
		in.dispatch(j.row, j.msg, j.door)
	}
	if len(saved) > 0 { // before replaying is cleared, so no fresh message slips between
		in.replays.Add(1)
	}
	if err != nil {
		return n, fmt.Errorf("inbox: replay spool: %w", err)
	}
	if n > 0 {
		in.log.Info("spooled messages stored", "count", n)
	}
	if in.needRecover.Load() {
		_, err = in.Recover(ctx)
	}
	return n, err
}

// Maintain replays the spool and recovers failed rows whenever the database answers again.
func (in *Inbox) Maintain(ctx context.Context, w Waiter, every time.Duration) {
	for ctx.Err() == nil {
		if in.o.Spool.Pending() || in.needRecover.Load() {
			if in.o.Store.Ping(ctx) == nil {
				if _, err := in.ReplaySpool(ctx); err != nil {
					in.log.Warn("spool replay incomplete", "err", err)
				}
			}
		}
		if w.Wait(ctx, every, nil) != nil {
			return
		}
	}
}

// toSpool keeps the message on disk and tells the sender it will be saved (best effort).
func (in *Inbox) toSpool(ctx context.Context, m Message) {
	defer in.pending.Add(-1)
	if err := in.o.Spool.Append(m); err != nil {
		in.log.Error("message lost: database and spool both failed", "transport", m.Transport, "account", m.Account, "err", err)
		return
	}
	in.notifyBusy(ctx, m)
}

// notifyBusy tells the sender of a message that waits (in the spool, or stored and kept for a
// retry) that it was received and will be answered.
func (in *Inbox) notifyBusy(ctx context.Context, m Message) {
	if m.Kind == KindFriendRequest || (m.Group && !m.AtBot) || !in.noticeAllowed(ctx, m) {
		return
	}
	in.sendDirect(ctx, m, msgSpooled)
}

// sendDirect answers m straight through its transport, not the outbox: the database may be the
// thing that is down, or may not hold the message at all.
func (in *Inbox) sendDirect(ctx context.Context, m Message, text string) {
	msgr := in.o.Messengers[m.Account]
	if msgr == nil {
		return
	}
	to := m.SenderKey
	if m.Group {
		to = m.GroupKey
	}
	if err := msgr.Send(ctx, m.Account, Outgoing{To: to, Text: text}); err != nil {
		in.log.Warn("direct notice not sent", "account", m.Account, "err", err)
	}
}

// noticeAllowed sends at most one notice per sender in ten minutes and never faster than the
// account's bucket allows right now (no waiting: the notice is a courtesy, the bucket is the law).
func (in *Inbox) noticeAllowed(ctx context.Context, m Message) bool {
	now := in.o.Clock.Now()
	seen, err := in.o.State.SeenWithin(ctx, "inbox:notice:"+m.Transport+":"+m.Account+":"+m.SenderKey, now, 10*time.Minute)
	if err != nil || seen {
		return false
	}
	lim := in.o.Limits[m.Account]
	if lim.Every <= 0 {
		return true
	}
	wait, err := in.o.State.TakeToken(ctx, "outbox:bucket:"+m.Account, now, lim.Every, lim.Burst)
	return err == nil && wait == 0
}

// outcome decides what one message leads to; an error means "try again later".
func (in *Inbox) outcome(ctx context.Context, j inboxJob) (store.InboxResult, error) {
	m := j.msg
	if m.Kind == KindFriendRequest {
		return in.friend(ctx, j)
	}
	if m.Group && !m.AtBot {
		return store.InboxResult{Status: store.InDone, Error: "group message not addressed to the bot"}, nil
	}
	if j.door.Quarantined != "" {
		return in.quarantined(ctx, j, j.door.Quarantined, msgUnstorable), nil
	}
	if j.door.Refused != "" {
		return in.result(j, 0, []Reply{{Text: j.door.Refused}}, "refused at the door"), nil
	}
	if code, ok := ParseBind(m.Text); ok && m.Kind == KindText {
		if m.Group {
			return in.result(j, 0, []Reply{{Text: msgBindInGroup}}, ""), nil
		}
		out, err := in.binder.bind(ctx, m, code, nil)
		if err != nil {
			return store.InboxResult{}, err
		}
		return in.result(j, out.person.ID, []Reply{{Text: out.reply}}, ""), nil
	}
	pid, reply, err := in.sender(ctx, m)
	if err != nil {
		return store.InboxResult{}, err
	}
	if pid == 0 {
		var rs []Reply
		if reply != "" {
			rs = []Reply{{Text: reply}}
		}
		return in.result(j, 0, rs, "sender not bound"), nil
	}
	replies, failure, err := in.call(ctx, Inbound{Message: m, PersonID: int64(pid), InboxID: int64(j.row.ID)})
	if err != nil {
		return store.InboxResult{}, err
	}
	res := in.result(j, pid, replies, failure)
	if failure != "" {
		res.Status = store.InFailed
	}
	return res, nil
}

// sender resolves the person behind m, or returns the reply an unbound sender gets: the full bind
// prompt at most once per sender and minute, and a one-line reminder for every other message in
// that minute, so each message is answered and two bots answering each other exchange short lines
// at the pace of the account's bucket, not the prompt.
func (in *Inbox) sender(ctx context.Context, m Message) (domain.PersonID, string, error) {
	if in.o.Trusted[m.Account] && m.Transport == consoleName {
		p, err := in.binder.trusted(ctx, m)
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Sprintf(msgConsoleNoOne, m.SenderKey), nil
		}
		return p.ID, "", err
	}
	pid, err := in.o.Store.PersonByChatKey(ctx, m.Transport, m.Account, m.SenderKey)
	if err == nil {
		return pid, "", nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return 0, "", err
	}
	asked, err := in.o.State.SeenWithin(ctx, "inbox:ask:"+m.Transport+":"+m.Account+":"+m.SenderKey, in.o.Clock.Now(), time.Minute)
	switch {
	case m.Group:
		return 0, msgBindInGroup, nil
	case err != nil || asked:
		return 0, msgBindAskAgain, nil
	}
	return 0, msgBindAsk, nil
}

// friend accepts a friend request whose verify text carries a valid code and binds the new friend;
// anything else is declined without a reply (a stranger cannot be written to before acceptance),
// counted, and shown by a messenger that can show it (FriendDecliner: the console).
func (in *Inbox) friend(ctx context.Context, j inboxJob) (store.InboxResult, error) {
	m := j.msg
	code := bindCodeIn(m.Text)
	msgr := in.o.Messengers[m.Account]
	if code == "" || msgr == nil {
		return in.declineFriend(ctx, m, msgFriendNoCode, "friend request without code"), nil
	}
	out, err := in.binder.bind(ctx, m, code, func() error { return msgr.AcceptFriend(ctx, m) })
	if err != nil {
		return store.InboxResult{}, err
	}
	switch {
	case out.failed != "":
		return in.declineFriend(ctx, m, msgFriendNotAccepted, out.failed), nil
	case out.person.ID == 0 && out.accepted: // the code was taken meanwhile: tell the new friend
		return in.result(j, 0, []Reply{{Text: out.reply}}, "friend accepted, code no longer valid"), nil
	case out.person.ID == 0:
		return in.declineFriend(ctx, m, msgFriendBadCode, "friend request with a bad code"), nil
	}
	return in.result(j, out.person.ID, []Reply{{Text: out.reply}}, ""), nil
}

// FriendDecliner is a messenger that shows a friend request qinqi did not accept, with why (the
// console's transcript would otherwise show nothing at all after the request).
type FriendDecliner interface {
	FriendDeclined(ctx context.Context, m Message, why string)
}

// declineFriend finishes a friend request left unaccepted (the row keeps note) and tells a
// FriendDecliner why.
func (in *Inbox) declineFriend(ctx context.Context, m Message, why, note string) store.InboxResult {
	if d, ok := in.o.Messengers[m.Account].(FriendDecliner); ok {
		d.FriendDeclined(ctx, m, why)
	}
	return store.InboxResult{Status: store.InDone, Error: note}
}

// call runs the handler; a panic becomes an apology and a failed row (not retried at every start).
// An error is the handler's: the message is kept for a retry.
func (in *Inbox) call(ctx context.Context, inb Inbound) (replies []Reply, failure string, err error) {
	defer func() {
		if r := recover(); r != nil {
			in.log.Error("handler panic", "inbox_id", inb.InboxID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			replies, failure, err = []Reply{{Text: msgApology}}, "handler panic", nil
		}
	}()
	replies, err = in.o.Handler.Handle(ctx, inb)
	if err != nil {
		return nil, "", fmt.Errorf("handler: %w", err)
	}
	return replies, "", nil
}

// result turns replies into outbox rows keyed by the inbox row, so re-processing reuses the keys.
func (in *Inbox) result(j inboxJob, pid domain.PersonID, replies []Reply, note string) store.InboxResult {
	m := j.msg
	now := in.o.Clock.Now()
	res := store.InboxResult{Status: store.InDone, PersonID: pid, Error: note, Account: m.Account}
	for n, r := range replies {
		o := store.OutboxMessage{Key: fmt.Sprintf("reply:%d:%d", j.row.ID, n), Text: r.Text, FileName: r.FileName,
			FilePath: r.FilePath, Urgent: r.Urgent, CreatedAt: now, Priority: store.PriorityAlert}
		if r.Report {
			o.Key += ReportKeySuffix // a coordinator is told if it fails for good
		}
		if r.Question {
			o.Key += store.QuestionKeySuffix // counted by the burden meter
		}
		if r.FilePath != "" {
			o.Kind = store.OutFile
			if r.Image {
				o.Kind = store.OutImage
			}
		}
		switch {
		case r.To != 0:
			to := domain.PersonID(r.To)
			o.PersonID = &to
		case m.Group:
			o.ToKey, o.Account, o.Priority, o.Urgent = m.GroupKey, m.Account, store.PriorityReply, true
		case pid != 0:
			o.PersonID, o.Account, o.Priority, o.Urgent = &pid, m.Account, store.PriorityReply, true
		default:
			o.ToKey, o.Account, o.Priority, o.Urgent = m.SenderKey, m.Account, store.PriorityReply, true
		}
		res.Replies = append(res.Replies, o)
	}
	return res
}
