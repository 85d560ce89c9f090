package handlers

import (
	"errors"
	"strings"
)

// How commands report failure. A command returns ([]bot.Reply, error):
//
//   - nil error: the replies are the answer.
//   - a *UserError (made with refuse): the message was understood but cannot be done as sent (bad
//     arguments, not allowed, not found, wrong state). Nothing was changed; the person reads
//     UserError.Text, which comes from replies.go.
//   - any other error (a store failure, a file that could not be written): the router passes it on
//     to the inbox (wrapped with the command), which keeps the message and handles it again later.
//     The person is never told "done", nor asked to send it again.
//
// Router.Handle is the only place that turns these errors into replies; nothing below it logs a
// failure or writes an apology.

// UserError is a refusal the person reads. Its Text is shown as is; it is never logged, since it
// may carry names.
type UserError struct {
	Text string
}

func (e *UserError) Error() string { return e.Text }

// refuse ends a command with a refusal; lines are joined as one message.
func refuse(lines ...string) error {
	return &UserError{Text: strings.Join(lines, "\n")}
}

// asUserError reports whether err is (or wraps) a refusal.
func asUserError(err error) (*UserError, bool) {
	var ue *UserError
	ok := errors.As(err, &ue)
	return ue, ok
}

// failed reports whether err makes the inbox retry the message (an error that is not a refusal);
// state that a retry needs (a pending question) must then be kept.
func failed(err error) bool {
	_, refusal := asUserError(err)
	return err != nil && !refusal
}
