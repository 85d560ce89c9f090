package bot

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// Fake is an in-memory Messenger for tests and the simulator: Push feeds inbound messages,
// Sent records everything sent.
type Fake struct {
	in chan Message

	mu       sync.Mutex
	sent     []Sent
	accepted []Message
	FailNext func(out Outgoing) error // when set, consulted before each send
}

// Sent is one message the fake delivered.
type Sent struct {
	Account  string
	To       string
	Text     string
	FileName string
	Size     int
	Image    bool
}

// NewFake makes a fake messenger with a buffered inbound queue.
func NewFake() *Fake { return &Fake{in: make(chan Message, 1024)} }

// Name is "fake".
func (f *Fake) Name() string { return "fake" }

// Push queues an inbound message.
func (f *Fake) Push(m Message) {
	if m.Transport == "" {
		m.Transport = f.Name()
	}
	f.in <- m
}

// Receive delivers pushed messages until ctx ends.
func (f *Fake) Receive(ctx context.Context, h func(context.Context, Message)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-f.in:
			h(ctx, m)
		}
	}
}

// Send records the message.
func (f *Fake) Send(_ context.Context, account string, out Outgoing) error {
	f.mu.Lock()
	fail := f.FailNext
	f.mu.Unlock()
	if fail != nil {
		if err := fail(out); err != nil {
			return err
		}
	}
	s := Sent{Account: account, To: out.To, Text: out.Text, FileName: out.FileName, Image: out.Image}
	if out.File != nil {
		n, err := io.Copy(io.Discard, out.File)
		if err != nil {
			return fmt.Errorf("fake: read file: %w", err)
		}
		s.Size = int(n)
	}
	f.mu.Lock()
	f.sent = append(f.sent, s)
	f.mu.Unlock()
	return nil
}

// AcceptFriend records the acceptance.
func (f *Fake) AcceptFriend(_ context.Context, m Message) error {
	f.mu.Lock()
	f.accepted = append(f.accepted, m)
	f.mu.Unlock()
	return nil
}

// Sent returns a copy of everything sent so far.
func (f *Fake) Sent() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Sent(nil), f.sent...)
}

// Accepted returns the friend requests accepted so far.
func (f *Fake) Accepted() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.accepted...)
}
