package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"qinqi/bot"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// LostReplyStore is what LostReplies needs; *store.Store implements it.
type LostReplyStore interface {
	PersonByID(ctx context.Context, id domain.PersonID) (store.Person, error)
	CoordinatorsOfUnit(ctx context.Context, unit domain.UnitID) ([]store.Person, error)
	EnqueueOutbox(ctx context.Context, m store.OutboxMessage) (store.OutboxMessage, error)
}

// LostReplies tells a cadre's coordinators when the answer to one of the cadre's reports (the
// "saved" reply, or the question the report waits for) fails for good: the cadre cannot know
// whether the report counts, and only someone who can phone them can close that gap. It is the
// outbox's Lost hook (bot.OutboxOptions.Lost).
type LostReplies struct {
	st    LostReplyStore
	clock clock.Clock
	log   *slog.Logger
}

// NewLostReplies builds the hook.
func NewLostReplies(st LostReplyStore, clk clock.Clock, log *slog.Logger) *LostReplies {
	if log == nil {
		log = slog.Default()
	}
	return &LostReplies{st: st, clock: clk, log: log.With("comp", "lost-replies")}
}

// Lost queues one notice per coordinator and report, keyed by the report's inbox row, so a report
// whose replies fail one after the other, or a retried failure, tells each coordinator once. Other
// lost messages are left to `qinqi status`.
func (l *LostReplies) Lost(ctx context.Context, row store.OutboxMessage) error {
	report, question, ok := bot.ReportReply(row.Key)
	if !ok || row.PersonID == nil {
		return nil
	}
	cadre, err := l.st.PersonByID(ctx, *row.PersonID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cadre of lost reply: %w", err)
	}
	var coords []store.Person
	if cadre.UnitID != nil {
		if coords, err = l.st.CoordinatorsOfUnit(ctx, *cadre.UnitID); err != nil {
			return fmt.Errorf("coordinators of lost reply: %w", err)
		}
	}
	text := noteLostReply(cadre.Name, cadre.Code, row.CreatedAt.In(clock.Shanghai), question)
	told := 0
	for _, co := range coords {
		if co.ID == cadre.ID {
			continue
		}
		to := co.ID
		m := store.OutboxMessage{Key: fmt.Sprintf("lost:%s:to:%d", report, to), PersonID: &to, Text: text,
			Priority: store.PriorityAlert, CreatedAt: l.clock.Now()}
		if _, err := l.st.EnqueueOutbox(ctx, m); err != nil {
			return fmt.Errorf("notice of lost reply: %w", err)
		}
		told++
	}
	if told == 0 {
		l.log.Warn("reply to a report lost and no coordinator to tell", "outbox_id", row.ID, "person", cadre.ID)
	}
	return nil
}
