package bot

import (
	"errors"
	"fmt"
	"time"
)

// UnavailableError is a send that failed for the whole account, not for this message: the token
// endpoint is down, the secret or the server's IP is refused, or the platform's frequency limit
// was hit. The outbox puts the message back without counting an attempt and pauses the account
// for Wait, so nothing is lost while an administrator fixes the cause.
type UnavailableError struct {
	Wait time.Duration
	Err  error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("channel unavailable for %s: %v", e.Wait, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable marks err as account-wide, to be retried after wait.
func Unavailable(wait time.Duration, err error) error { return &UnavailableError{Wait: wait, Err: err} }

// HeldError is a message this channel cannot deliver now but may later: a 服务号 household outside
// its 48-hour window with no template for the message's purpose. The outbox keeps the message
// pending (its reason visible in `qinqi status`) and looks again after Wait, without counting an
// attempt, until the channel can send it or it has waited too long.
type HeldError struct {
	Wait   time.Duration
	Reason string
}

func (e *HeldError) Error() string { return "held: " + e.Reason }

// Held makes a HeldError.
func Held(wait time.Duration, reason string) error { return &HeldError{Wait: wait, Reason: reason} }

// asUnavailable and asHeld unwrap the two kinds.
func asUnavailable(err error) (*UnavailableError, bool) {
	var u *UnavailableError
	ok := errors.As(err, &u)
	return u, ok
}

func asHeld(err error) (*HeldError, bool) {
	var h *HeldError
	ok := errors.As(err, &h)
	return h, ok
}
