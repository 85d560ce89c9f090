package bot

import (
	"context"
	"strings"

	"qinqi/store"
)

// Inbound is a message from a resolved sender, as the inbox hands it to the handlers.
type Inbound struct {
	Message
	PersonID int64 // 0 when the sender is not bound to a person yet
	InboxID  int64 // the durable inbox row; stable across re-processing, so use it in idempotency keys
}

// Reply is something a handler wants sent. The inbox writes every Reply into the outbox in the
// same transaction that marks the inbound message done, so a crash never loses or doubles one.
// Handlers that must notify other people atomically with their own writes enqueue those
// notifications inside their store transaction instead (keyed by InboxID).
type Reply struct {
	To       int64 // person to send to; 0 means the sender (or the group the message came from)
	Text     string
	FileName string // for a file or image: the name the recipient sees
	FilePath string // the file to send
	Image    bool
	Urgent   bool // ignores quiet hours (replies to a person's own message are always urgent)
	// Question marks a follow-up question qinqi had to ask before it could act on the message
	// ("报的是哪一户？"): the burden meter counts them per cadre.
	Question bool
	// Report marks the answer to a cadre's report: the reply saying it was saved, or the question
	// it waits for. If it fails for good, the cadre's coordinator is told (OutboxOptions.Lost).
	Report bool
}

// ReportKeySuffix ends the outbox key of a reply marked Report (before store.QuestionKeySuffix
// when the reply is also a question).
const ReportKeySuffix = ":r"

// ReportReply reads an outbox key: whether it is the reply to a report, the inbox row of that
// report ("reply:<inbox>" names it), and whether the reply was the question the report waits for.
func ReportReply(key string) (report string, question, ok bool) {
	rest, question := strings.CutSuffix(key, store.QuestionKeySuffix)
	rest, ok = strings.CutSuffix(rest, ReportKeySuffix)
	if !ok || !strings.HasPrefix(rest, "reply:") {
		return "", false, false
	}
	if i := strings.LastIndexByte(rest, ':'); i > len("reply") {
		rest = rest[:i] // drop the reply's number within its message
	}
	return rest, question, true
}

// Handler turns one inbound message into replies. Refusals the person should read (bad input, not
// allowed) are replies. An error means the message could not be handled now (the database is
// down, a write failed): the inbox keeps it, tells the sender once that it was received, and
// handles it again later; the replies returned with an error are dropped. Handle must not panic
// on any input; the inbox recovers panics anyway and answers with an apology.
type Handler interface {
	Handle(ctx context.Context, in Inbound) ([]Reply, error)
}

// Preloader is a Handler that names the State keys it will read for the messages of a batch whose
// senders are persons (the router: their pending dialogs); the inbox reads them before the batch's
// transaction, in the round trip of its same-text checks.
type Preloader interface {
	PreloadKeys(persons []int64) []string
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, in Inbound) ([]Reply, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, in Inbound) ([]Reply, error) { return f(ctx, in) }
