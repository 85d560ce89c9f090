package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// TestBindTellsTheOldAccounts: a bind that replaces a person's key tells that key and the person's
// other channels; binding a key that was someone else's tells that someone on it.
func TestBindTellsTheOldAccounts(t *testing.T) {
	ieachKV(t, func(t *testing.T, r *irig) {
		c1 := r.person("C001", "@old")
		c2 := r.person("C002", "@shared")
		if err := r.st.BindChatIdentity(r.ctx, store.ChatIdentity{Transport: "mp", Account: "mp1", ExternalKey: "oC1", PersonID: c1}, ibT0); err != nil {
			t.Fatal(err)
		}
		bind := func(key string, pid domain.PersonID) []store.OutboxMessage {
			t.Helper()
			bc, err := r.st.NewBindCode(r.ctx, pid, r.clk.Now(), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			before := len(r.outbox())
			r.clk.Advance(5 * time.Second)
			r.in.Accept(r.ctx, r.msg("bind-"+key, key, "绑定 "+bc.Code))
			r.settle()
			return r.outbox()[before:]
		}
		to := func(rows []store.OutboxMessage, key string) string {
			for _, m := range rows {
				if m.ToKey == key {
					return m.Text
				}
			}
			return ""
		}
		t.Run("a new key: the replaced key and the other channel are told", func(t *testing.T) {
			rows := bind("@new", c1)
			if txt := to(rows, "@old"); !strings.Contains(txt, "已解除与人C001的绑定") {
				t.Fatalf("no notice to the replaced key: %+v", rows)
			}
			mp, err := r.st.DueOutbox(r.ctx, "mp1", r.clk.Now().Add(time.Hour), store.DueFilter{}, 10)
			if err != nil || len(mp) != 1 || mp[0].ToKey != "oC1" || !strings.Contains(mp[0].Text, "绑定到了一个新的fake账号") || !mp[0].Urgent {
				t.Fatalf("notice on the other channel: %+v %v", mp, err)
			}
		})
		t.Run("someone else's key: they are told on it", func(t *testing.T) {
			rows := bind("@shared", c1)
			if txt := to(rows, "@shared"); !strings.Contains(txt, "原来绑定的是人C002") || !strings.Contains(txt, "改为绑定人C001") {
				t.Fatalf("no notice to the taken key: %+v", rows)
			}
			if p, err := r.st.PersonByChatKey(r.ctx, "fake", "a1", "@shared"); err != nil || p != c1 {
				t.Fatalf("@shared → %d %v", p, err)
			}
			audit, err := r.st.IdentityAudit(r.ctx, c2)
			if err != nil || len(audit) != 2 || audit[1].Action != store.ActUnbind {
				t.Fatalf("audit of C002: %+v %v", audit, err)
			}
		})
	})
}

func TestIdentityNoticesForAnUnplacedPerson(t *testing.T) {
	at := ibT0
	c := store.IdentityChange{Kind: store.ChangeUnplaced, Ref: "identity:unplaced:7", At: at,
		Person: store.Person{ID: 3, Code: "P001", Name: "陈建国"},
		Old:    store.ChatIdentity{ID: 7, Transport: "wechat", Account: "city-1", ExternalKey: "@gone", PersonID: 3}}
	t.Run("other channels reach the person", func(t *testing.T) {
		c := c
		c.Others = []store.ChatIdentity{{Transport: "wecom", Account: "corp", ExternalKey: "chenjg"}}
		got := bot.IdentityNotices(c)
		if len(got) != 1 || got[0].Account != "corp" || got[0].ToKey != "chenjg" || got[0].PersonID != nil ||
			!strings.Contains(got[0].Text, "qq-P001") || !strings.Contains(got[0].Text, "微信") {
			t.Fatalf("notices %+v", got)
		}
	})
	t.Run("no channel: one digest to the coordinator", func(t *testing.T) {
		var people []store.Person
		for i := range 23 {
			people = append(people, store.Person{ID: domain.PersonID(100 + i), Code: fmt.Sprintf("P%03d", i+1), Name: fmt.Sprintf("干部%02d", i+1)})
		}
		d := store.IdentityChange{Kind: store.ChangeUnplacedDigest, Ref: "identity:unplaced:7:to:9", At: at,
			Person: store.Person{ID: 9, Code: "P009"}, Old: store.ChatIdentity{Transport: "wechat", Account: "city-1"}, Unplaced: people}
		got := bot.IdentityNotices(d)
		if len(got) != 1 || got[0].PersonID == nil || *got[0].PersonID != 9 || got[0].ToKey != "" {
			t.Fatalf("notices %+v", got)
		}
		m := got[0]
		if !strings.HasPrefix(m.Text, "【需重新绑定】机器人微信账号“city-1”") || !strings.Contains(m.Text, "以下23人") ||
			!strings.Contains(m.Text, "干部01（P001）、干部02（P002）") || !strings.Contains(m.Text, "干部20（P020）等23人") ||
			strings.Contains(m.Text, "P021") || m.Priority != store.PriorityAlert || !m.Urgent || !m.CreatedAt.Equal(at) {
			t.Fatalf("digest %+v", m)
		}
	})
	if got := bot.IdentityNotices(store.IdentityChange{Kind: store.ChangeUnplaced, Ref: "x", At: at, Old: c.Old}); len(got) != 0 {
		t.Fatalf("nobody to tell, yet %+v", got)
	}
}
