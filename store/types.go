package store

import (
	"errors"
	"strings"
)

// ErrNotFound is returned by every lookup that finds nothing; callers test it with errors.Is.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is returned when an idempotency key (message id, reminder key) was already used.
var ErrDuplicate = errors.New("duplicate")

// OutboxStatus is the delivery state of an outgoing message.
type OutboxStatus string

const (
	OutPending OutboxStatus = "pending"
	OutSent    OutboxStatus = "sent"
	OutFailed  OutboxStatus = "failed" // permanent failure, visible to admins
)

// OutboxPriority orders sending: replies to a person's own message go before bulk reminders.
type OutboxPriority int

const (
	PriorityReply OutboxPriority = 0
	PriorityAlert OutboxPriority = 5
	PriorityBulk  OutboxPriority = 9
)

// InboxStatus is the processing state of an inbound message.
type InboxStatus string

const (
	InNew  InboxStatus = "new"  // stored, not yet handled (or kept for a retry)
	InDone InboxStatus = "done" // handled and answered (a refusal is an answer)
	// InFailed is quarantined: handling failed for good (a handler panic, or the database refused
	// the message's data on every try). The sender was answered; qinqi status lists these rows.
	InFailed InboxStatus = "failed"
)

// MaskPhone hides the middle of a phone number: 13800000001 → 138****0001.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}
