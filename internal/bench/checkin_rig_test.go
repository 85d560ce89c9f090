package bench

import (
	"context"
	"errors"
	"testing"
	"time"

	"qinqi/internal/testenv"
	"qinqi/store"
)

// A message completed inside a batch is told to its sender only once the batch has committed, and
// never when the batch does not commit (its messages are redone and complete again).
func TestTapTellsCompletionsAfterCommit(t *testing.T) {
	ctx := context.Background()
	tap := newTapStore(testenv.SQLite(t), &stages{})
	var told []string
	complete := func(ctx context.Context, msgID string) error {
		tap.expect(msgID, func(c completion) { told = append(told, msgID+":"+c.reply) })
		row := &store.InboxMessage{Transport: "fake", Account: "a1", MsgID: msgID, SenderKey: "@k", Kind: "text",
			Text: "走访", Payload: "{}", Status: store.InNew, ReceivedAt: time.Now()}
		if err := tap.SaveInbound(ctx, row); err != nil {
			return err
		}
		res := store.InboxResult{Status: store.InDone, Replies: []store.OutboxMessage{{Key: "reply:" + msgID, Text: "已记录",
			ToKey: "@k", Account: "a1", CreatedAt: time.Now(), Priority: store.PriorityReply}}}
		return tap.CompleteInbound(ctx, row.ID, res, time.Now())
	}
	err := tap.Batch(ctx, func(ctx context.Context) error {
		if err := complete(ctx, "m1"); err != nil {
			return err
		}
		if len(told) != 0 {
			t.Errorf("told %q before the batch committed", told)
		}
		return nil
	})
	if err != nil || len(told) != 1 || told[0] != "m1:已记录" {
		t.Fatalf("after commit: told %q, err %v; want m1 told once", told, err)
	}
	lost := errors.New("lost")
	err = tap.Batch(ctx, func(ctx context.Context) error {
		if err := complete(ctx, "m2"); err != nil {
			return err
		}
		return lost
	})
	if !errors.Is(err, lost) || len(told) != 1 {
		t.Fatalf("after a batch that did not commit: told %q, err %v; want only m1", told, err)
	}
}
