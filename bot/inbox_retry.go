package bot

import (
	"context"
	"errors"
	"fmt"

	"qinqi/store"
)

// retryLater decides what a failed try at a stored message leads to. While the database is out (the
// store says so, or it does not answer a ping) the message waits without counting a try: nothing
// about the message is wrong. Any other failure counts one try; after MaxTries the message is
// quarantined: marked failed with its reason, answered with a clear reply and listed by qinqi
// status, so it never holds anything up. Until then the sender is told, once, that the message was
// received and will be answered. kept says the row stays new for Maintain to retry.
func (in *Inbox) retryLater(ctx context.Context, j inboxJob, cause error) (kept bool) {
	if in.outage(ctx, cause) {
		in.log.Warn("inbound message kept for a retry: database unavailable", "inbox_id", j.row.ID, "err", cause)
		in.notifyBusy(ctx, j.msg)
		return true
	}
	n, err := in.o.Store.FailInboundTry(ctx, j.row.ID, cause.Error())
	if err != nil || n < in.o.MaxTries {
		in.log.Warn("inbound message kept for a retry", "inbox_id", j.row.ID, "try", n,
			"data_error", store.IsDataError(cause), "err", cause, "count_err", err)
		in.notifyBusy(ctx, j.msg)
		return true
	}
	in.log.Error("inbound message quarantined", "inbox_id", j.row.ID, "tries", n, "data_error", store.IsDataError(cause), "err", cause)
	if err := in.o.Store.CompleteInbound(ctx, j.row.ID, in.quarantined(ctx, j, cause.Error(), msgQuarantined), in.o.Clock.Now()); err != nil {
		in.log.Warn("quarantine not recorded; the message is tried again", "inbox_id", j.row.ID, "err", err)
		return true
	}
	return false
}

// outage reports whether err leaves the message blameless: a data error never does.
func (in *Inbox) outage(ctx context.Context, err error) bool {
	if store.IsDataError(err) {
		return false
	}
	return store.IsOutage(err) || in.o.Store.Ping(ctx) != nil
}

// quarantined is the end of a message that cannot be handled: failed, with its reason, its sender
// when known (for qinqi status) and the reply text (none for what nobody addressed to the bot).
func (in *Inbox) quarantined(ctx context.Context, j inboxJob, reason, reply string) store.InboxResult {
	var rs []Reply
	if j.msg.Kind != KindFriendRequest && (!j.msg.Group || j.msg.AtBot) {
		rs = []Reply{{Text: reply}}
	}
	pid, err := in.o.Store.PersonByChatKey(ctx, j.msg.Transport, j.msg.Account, j.msg.SenderKey)
	if err != nil {
		pid = 0 // unbound, or the look-up failed: the reply goes to the chat key either way
	}
	res := in.result(j, pid, rs, "quarantined: "+reason)
	res.Status = store.InFailed
	return res
}

// unstorable handles a message the database refused to store (a data error despite the door): a
// row with the message's keys only is stored, quarantined with the database's reason and answered.
// The error is not nil only while the database is out; the caller then spools the message.
func (in *Inbox) unstorable(ctx context.Context, m Message, cause error) error {
	in.log.Error("message refused by the database, quarantined", "transport", m.Transport, "account", m.Account, "err", cause)
	bare := Message{Transport: m.Transport, Account: m.Account, ID: m.ID, SenderKey: m.SenderKey, Group: m.Group,
		GroupKey: m.GroupKey, AtBot: m.AtBot, Kind: m.Kind, Time: m.Time}
	d := door{Quarantined: "the database refused the message: " + cause.Error()}
	payload, err := encodePayload(bare, d)
	if err != nil {
		in.sendDirect(ctx, m, msgUnstorable)
		return nil
	}
	row := store.InboxMessage{Transport: m.Transport, Account: m.Account, MsgID: m.ID, SenderKey: m.SenderKey,
		Kind: string(m.Kind), Payload: payload, Status: store.InNew, ReceivedAt: m.Time}
	err = in.o.Store.SaveInbound(ctx, &row)
	switch {
	case errors.Is(err, store.ErrDuplicate): // kept on an earlier try; Recover finishes it
		in.needRecover.Store(true)
		return nil
	case store.IsDataError(err):
		in.log.Error("message lost: the database refused even its keys", "transport", m.Transport, "account", m.Account, "err", err)
		in.sendDirect(ctx, m, msgUnstorable)
		return nil
	case err != nil:
		return err
	}
	j := inboxJob{row: row, msg: bare, door: d}
	if err := in.o.Store.CompleteInbound(ctx, row.ID, in.quarantined(ctx, j, d.Quarantined, msgUnstorable), in.o.Clock.Now()); err != nil {
		in.needRecover.Store(true) // the row's door says quarantined: Recover ends it the same way
		in.log.Warn("quarantine not recorded yet", "inbox_id", row.ID, "err", err)
	}
	return nil
}

// quarantineUnreadable ends a stored row whose payload cannot be read: it would fail every try.
func (in *Inbox) quarantineUnreadable(ctx context.Context, row store.InboxMessage, cause error) {
	in.log.Error("unreadable inbox payload, quarantined", "inbox_id", row.ID, "err", cause)
	m := Message{Transport: row.Transport, Account: row.Account, ID: row.MsgID, SenderKey: row.SenderKey, Kind: Kind(row.Kind), Time: row.ReceivedAt}
	j := inboxJob{row: row, msg: m}
	if err := in.o.Store.CompleteInbound(ctx, row.ID, in.quarantined(ctx, j, fmt.Sprintf("unreadable payload: %v", cause), msgUnstorable), in.o.Clock.Now()); err != nil {
		in.log.Warn("quarantine not recorded; tried again at the next recovery", "inbox_id", row.ID, "err", err)
	}
}
