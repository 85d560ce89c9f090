package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// WeChatDirectory re-maps a WeChat account's friends after each login (see store.RemapWeChat) and
// tells the people it had to unbind; bot/wechat takes it as its Directory.
type WeChatDirectory struct{ Store *store.Store }

// RemapWeChat re-maps by remark only and queues IdentityNotices for everyone left unbound.
func (d WeChatDirectory) RemapWeChat(ctx context.Context, account string, contacts []store.WeChatContact, now time.Time) (store.RemapCounts, error) {
	return d.Store.RemapWeChat(ctx, account, contacts, now, IdentityNotices)
}

// IdentityNotices is the store.Notifier of every bind and unbind: the person concerned is told on
// the key that was replaced or taken and on their identities on other accounts and channels,
// addressed key by key (their preferred account may be the one just taken over). People no channel
// reaches any more are listed to the coordinators who can issue new codes, one message per re-login.
func IdentityNotices(c store.IdentityChange) []store.OutboxMessage {
	n := notices{c: c}
	when := c.At.Format("1月2日15:04")
	name := c.Person.Name
	switch c.Kind {
	case store.ChangeBound:
		if c.Old.ExternalKey != "" {
			ch := channelName(c.Old.Transport)
			n.toKey(c.Old, fmt.Sprintf(msgIdentityReplaced, ch, name, when, ch))
		}
		for _, o := range c.Others {
			n.toKey(o, fmt.Sprintf(msgIdentityBoundElsewhere, name, when, channelName(c.New.Transport)))
		}
	case store.ChangeTaken:
		n.toKey(c.Old, fmt.Sprintf(msgIdentityTaken, channelName(c.Old.Transport), name, when, c.By.Name))
		for _, o := range c.Others {
			n.toKey(o, fmt.Sprintf(msgIdentityTakenElsewhere, name, channelName(c.Old.Transport), when))
		}
	case store.ChangeUnplaced:
		ch := channelName(c.Old.Transport)
		for _, o := range c.Others {
			n.toKey(o, fmt.Sprintf(msgIdentityUnplaced, name, ch, c.Person.Code, ch))
		}
	case store.ChangeUnplacedDigest:
		if len(c.Unplaced) > 0 {
			n.toPerson(c.Person.ID, fmt.Sprintf(msgIdentityUnplacedDigest, channelName(c.Old.Transport), c.Old.Account,
				len(c.Unplaced), peopleList(c.Unplaced, 20), c.Unplaced[0].Code))
		}
	}
	return n.out
}

// peopleList names up to max people as 陈建国（P001）、… and counts the rest.
func peopleList(people []store.Person, max int) string {
	var parts []string
	for i, p := range people {
		if i == max {
			return strings.Join(parts, "、") + fmt.Sprintf("等%d人", len(people))
		}
		parts = append(parts, p.Name+"（"+p.Code+"）")
	}
	return strings.Join(parts, "、")
}

// notices collects one change's messages under keys derived from the change's Ref.
type notices struct {
	c   store.IdentityChange
	out []store.OutboxMessage
}

func (n *notices) add(m store.OutboxMessage) {
	m.Key = fmt.Sprintf("%s:%d", n.c.Ref, len(n.out))
	m.CreatedAt, m.Priority, m.Urgent = n.c.At, store.PriorityAlert, true
	n.out = append(n.out, m)
}

func (n *notices) toKey(ci store.ChatIdentity, text string) {
	n.add(store.OutboxMessage{Account: ci.Account, ToKey: ci.ExternalKey, Text: text})
}

func (n *notices) toPerson(id domain.PersonID, text string) {
	n.add(store.OutboxMessage{PersonID: &id, Text: text})
}

// channelName is how a transport is called in a notice.
func channelName(transport string) string {
	switch transport {
	case "wechat":
		return "微信"
	case "wecom":
		return "企业微信"
	case "mp":
		return "服务号"
	case ConsoleTransport:
		return "控制台"
	}
	return transport
}
