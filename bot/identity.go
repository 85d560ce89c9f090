package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// IdentityStore is what binding needs from the store (*store.Store implements it).
type IdentityStore interface {
	PersonByChatKey(ctx context.Context, transport, account, key string) (domain.PersonID, error)
	PersonByCode(ctx context.Context, code string) (store.Person, error)
	PersonByID(ctx context.Context, id domain.PersonID) (store.Person, error)
	BindChatIdentity(ctx context.Context, ci store.ChatIdentity, now time.Time) error
	BindWithCode(ctx context.Context, code string, ci store.ChatIdentity, now time.Time, accept func() error, notify store.Notifier) (domain.PersonID, error)
	CheckBindCode(ctx context.Context, code string, now time.Time) (domain.PersonID, error)
}

// ParseBind recognises a bind command: "绑定 482913", "/bind 482913", also with full-width digits,
// spaces or slash and with or without the space. ok is false when text is not a bind command;
// code is "" when it is one but the code is not six digits.
func ParseBind(text string) (code string, ok bool) {
	t := strings.TrimSpace(foldWidth(text))
	var rest string
	switch {
	case strings.HasPrefix(t, "绑定"):
		rest = strings.TrimPrefix(t, "绑定")
	case len(t) >= 5 && strings.EqualFold(t[:5], "/bind"):
		rest = t[5:]
	default:
		return "", false
	}
	if rest != "" && !unicode.IsSpace(rune(rest[0])) && !isDigit(rune(rest[0])) && rest[0] != ':' {
		return "", false // "绑定码是多少" is a question, not a command
	}
	rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
	if len(rest) == 6 && strings.IndexFunc(rest, func(r rune) bool { return !isDigit(r) }) < 0 {
		return rest, true
	}
	return "", true
}

// bindCodeIn finds a six-digit code anywhere in a friend request's verify text ("绑定482913 王春发").
func bindCodeIn(text string) string {
	t := []rune(foldWidth(text))
	for i := 0; i < len(t); {
		if !isDigit(t[i]) {
			i++
			continue
		}
		j := i
		for j < len(t) && isDigit(t[j]) {
			j++
		}
		if j-i == 6 {
			return string(t[i:j])
		}
		i = j
	}
	return ""
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// foldWidth maps full-width ASCII (０-９, ／, ：, ideographic space) to half-width, as Chinese
// input methods often send them.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '\uff01' && r <= '\uff5e':
			return r - 0xfee0
		}
		return r
	}, s)
}

// binder checks codes and binds senders. Every failed try is counted in a sliding hour against the
// sender, and, when the code belongs to someone (a used or expired code), against that person too;
// every bind counts against the person as well. Either count at the limit refuses the try. Wrong,
// used and expired codes, and the live code of a person over the limit, all get the same reply, so a
// guesser learns nothing about which codes exist.
type binder struct {
	st       IdentityStore
	state    State
	clock    clock.Clock
	maxTries int
	log      *slog.Logger
}

// bindWindow is the sliding window of the try counts.
const bindWindow = time.Hour

// bindOutcome is what a bind attempt produced: the bound person (zero on failure) and the reply.
type bindOutcome struct {
	person   store.Person
	reply    string
	accepted bool   // the friend request was accepted (a reply can reach the sender)
	failed   string // why the friend request could not be accepted
}

func senderTries(m Message) string {
	return "bind:try:sender:" + m.Transport + ":" + m.Account + ":" + m.SenderKey
}

func personTries(p domain.PersonID) string { return fmt.Sprintf("bind:try:person:%d", p) }

// bind uses code for the sender of m. accept (may be nil; the friend-request path) runs after the
// code checked out and before it is used, outside any transaction: if accepting fails the code
// stays valid; if the code is taken meanwhile the new friend is told so and can ask for another.
// A non-nil error means the store or KV failed and the message should be processed again later.
func (b *binder) bind(ctx context.Context, m Message, code string, accept func() error) (bindOutcome, error) {
	now := b.clock.Now()
	over, err := b.over(ctx, senderTries(m), now)
	if err != nil || over {
		if over {
			b.log.Info("bind refused: too many tries", "transport", m.Transport, "account", m.Account)
		}
		return bindOutcome{reply: msgBindTooMany}, err
	}
	if code == "" {
		return b.wrong(ctx, m, 0)
	}
	pid, err := b.st.CheckBindCode(ctx, code, now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return b.wrong(ctx, m, 0)
	case errors.Is(err, store.ErrBindCodeUsed), errors.Is(err, store.ErrBindCodeExpired):
		return b.wrong(ctx, m, pid)
	case err != nil:
		return bindOutcome{}, fmt.Errorf("bind: %w", err)
	}
	if over, err := b.over(ctx, personTries(pid), now); err != nil || over {
		if over {
			b.log.Warn("bind refused: too many tries on one person's codes", "transport", m.Transport, "account", m.Account, "person", pid)
			return b.wrong(ctx, m, 0)
		}
		return bindOutcome{}, err
	}
	return b.use(ctx, m, code, accept)
}

// use accepts the friend request if asked to, then uses the code and binds; the store tells the
// person's other identities (IdentityNotices).
func (b *binder) use(ctx context.Context, m Message, code string, accept func() error) (bindOutcome, error) {
	accepted := false
	if accept != nil {
		if err := accept(); err != nil {
			// Not retried: the request may have expired. The code stays valid for a new request.
			b.log.Warn("friend request not accepted", "transport", m.Transport, "account", m.Account, "err", err)
			return bindOutcome{failed: "accept friend failed"}, nil
		}
		accepted = true
	}
	ci := store.ChatIdentity{Transport: m.Transport, Account: m.Account, ExternalKey: m.SenderKey, NickName: clipName(m.SenderName)}
	pid, err := b.st.BindWithCode(ctx, code, ci, b.clock.Now(), nil, IdentityNotices)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrBindCodeUsed) || errors.Is(err, store.ErrBindCodeExpired) {
		out, err := b.wrong(ctx, m, 0) // taken or expired between the check and the use
		out.accepted = accepted
		return out, err
	}
	if err != nil {
		return bindOutcome{}, fmt.Errorf("bind: %w", err)
	}
	if _, err := b.state.AddWithin(ctx, personTries(pid), b.clock.Now(), bindWindow); err != nil {
		b.log.Warn("bind not counted against the person", "err", err) // bound already: do not undo it
	}
	return b.bound(ctx, m, pid)
}

func (b *binder) bound(ctx context.Context, m Message, pid domain.PersonID) (bindOutcome, error) {
	p, err := b.st.PersonByID(ctx, pid)
	if err != nil {
		return bindOutcome{}, fmt.Errorf("bind: person: %w", err)
	}
	b.log.Info("sender bound", "transport", m.Transport, "account", m.Account, "person", pid)
	return bindOutcome{person: p, reply: fmt.Sprintf(msgBindOKFormat, p.Name), accepted: true}, nil
}

// over reports whether key has reached the limit in the window ending at now.
func (b *binder) over(ctx context.Context, key string, now time.Time) (bool, error) {
	n, err := b.state.CountWithin(ctx, key, now, bindWindow)
	if err != nil {
		return false, fmt.Errorf("bind tries: %w", err)
	}
	return n >= int64(b.maxTries), nil
}

// wrong counts a failed try against the sender and, when the code was someone's, against that
// person, and gives the one reply every failed code gets.
func (b *binder) wrong(ctx context.Context, m Message, pid domain.PersonID) (bindOutcome, error) {
	now := b.clock.Now()
	if _, err := b.state.AddWithin(ctx, senderTries(m), now, bindWindow); err != nil {
		return bindOutcome{}, fmt.Errorf("bind tries: %w", err)
	}
	if pid != 0 {
		if _, err := b.state.AddWithin(ctx, personTries(pid), now, bindWindow); err != nil {
			return bindOutcome{}, fmt.Errorf("bind tries: %w", err)
		}
	}
	return bindOutcome{reply: msgBindBadCode}, nil
}

// trusted binds a console sender whose key is the person code (demo mode only).
func (b *binder) trusted(ctx context.Context, m Message) (store.Person, error) {
	p, err := b.st.PersonByCode(ctx, m.SenderKey)
	if err != nil {
		return store.Person{}, err
	}
	if cur, err := b.st.PersonByChatKey(ctx, m.Transport, m.Account, m.SenderKey); err == nil && cur == p.ID {
		return p, nil
	}
	ci := store.ChatIdentity{Transport: m.Transport, Account: m.Account, ExternalKey: m.SenderKey, PersonID: p.ID}
	if err := b.st.BindChatIdentity(ctx, ci, b.clock.Now()); err != nil {
		return store.Person{}, err
	}
	return p, nil
}

func clipName(s string) string {
	r := []rune(s)
	if len(r) > 64 {
		r = r[:64]
	}
	return string(r)
}
