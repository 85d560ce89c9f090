// Package bot is what every chat channel shares: one Message type, the Messenger interface a
// channel implements, the Handler and Reply the command language sees, the durable inbox and spool,
// the rate-limited outbox, identities and the pipeline that joins them, plus Fake, the in-memory
// messenger of tests. Each channel is a package of its own beside its fake and tests (bot/wechat,
// bot/console); only a channel's package imports its SDK.
package bot

import (
	"context"
	"io"
	"time"
)

// ConsoleTransport is the transport name of the terminal console (package bot/console). On a trusted
// account its sender keys are person codes, and its repeated lines are deliberate, never resends.
const ConsoleTransport = "console"

// consoleName is the inbox's name for ConsoleTransport.
const consoleName = ConsoleTransport

// Kind is what an inbound message carries.
type Kind string

const (
	KindText          Kind = "text"
	KindImage         Kind = "image"
	KindVoice         Kind = "voice"
	KindLocation      Kind = "location"
	KindFile          Kind = "file"
	KindFriendRequest Kind = "friend"
)

// Message is one inbound message, transport-neutral.
type Message struct {
	Transport  string // wechat, console, fake
	Account    string // which bot account received it (a city runs several WeChat accounts)
	ID         string // the transport's message id; with Transport and Account it is unique
	SenderKey  string // the transport's current key for the sender (WeChat: per-login UserName)
	SenderName string // nickname or group display name, for re-mapping and greetings; never logged
	Group      bool   // sent in a group chat
	GroupKey   string // the group's current key
	AtBot      bool   // the bot was @mentioned (groups only)
	Kind       Kind
	Text       string
	Lat, Lng   float64 // KindLocation
	Label      string  // location label
	MediaRef   string  // a stored file path or transport media id for image, voice, file
	Time       time.Time
}

// Outgoing is one message to send.
type Outgoing struct {
	To       string // transport key of a person or group
	Text     string
	FileName string    // for files and images: the name the recipient sees
	File     io.Reader // nil for text
	Image    bool
	// Key is the outbox row's idempotency key ("request:12:ack:…", "spot:2026-11:7:ask"); a
	// channel that must choose a message form by purpose (the 服务号's templates) reads it.
	Key string
}

// Messenger is what the inbox and outbox need from a transport.
type Messenger interface {
	// Name is the transport name ("wechat", "console", "fake").
	Name() string
	// Receive delivers inbound messages to h until ctx ends or the transport stops for good.
	Receive(ctx context.Context, h func(context.Context, Message)) error
	// Send sends text or a file/image to one chat key.
	Send(ctx context.Context, account string, out Outgoing) error
	// AcceptFriend accepts the friend request carried by m.
	AcceptFriend(ctx context.Context, m Message) error
}
