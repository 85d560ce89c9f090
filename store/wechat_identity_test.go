package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

const remapAccount = "city-1"

// remapFixture makes people P001…P006 and binds their previous-login keys with nicknames.
func remapFixture(t *testing.T, s *store.Store, old map[string]string, nicks map[string]string) map[string]domain.PersonID {
	t.Helper()
	ctx := context.Background()
	var rows []store.Person
	for _, c := range []string{"P001", "P002", "P003", "P004", "P005", "P006"} {
		rows = append(rows, store.Person{Code: c, Name: "人" + c, Roles: domain.MakeRoles(domain.RoleHousehold)})
	}
	if err := s.UpsertPeople(ctx, rows, nil); err != nil {
		t.Fatalf("people: %v", err)
	}
	ids := map[string]domain.PersonID{}
	for _, c := range []string{"P001", "P002", "P003", "P004", "P005", "P006"} {
		p, err := s.PersonByCode(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		ids[c] = p.ID
	}
	now := clock.Date(2026, 11, 1)
	for key, code := range old {
		ci := store.ChatIdentity{Transport: "wechat", Account: remapAccount, ExternalKey: key, PersonID: ids[code], NickName: nicks[key]}
		if err := s.BindChatIdentity(ctx, ci, now); err != nil {
			t.Fatalf("bind %s: %v", key, err)
		}
	}
	return ids
}

func personOf(t *testing.T, s *store.Store, key string) domain.PersonID {
	t.Helper()
	id, err := s.PersonByChatKey(context.Background(), "wechat", remapAccount, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// changes records what a Notifier was told and answers each change with one notice per identity
// that can be told, so the test can see them queued.
type changes struct{ got []store.IdentityChange }

func (c *changes) notify(ch store.IdentityChange) []store.OutboxMessage {
	c.got = append(c.got, ch)
	var out []store.OutboxMessage
	to := append([]store.ChatIdentity{}, ch.Others...)
	if ch.Old.ExternalKey != "" && ch.Kind != store.ChangeUnplaced {
		to = append(to, ch.Old)
	}
	for i, ci := range to {
		out = append(out, store.OutboxMessage{Key: fmt.Sprintf("%s:%d", ch.Ref, i), Account: ci.Account, ToKey: ci.ExternalKey,
			Text: ch.Kind + " " + ch.Person.Code, CreatedAt: ch.At})
	}
	if ch.Kind == store.ChangeUnplacedDigest {
		id := ch.Person.ID
		out = append(out, store.OutboxMessage{Key: ch.Ref, PersonID: &id, Text: fmt.Sprintf("%s %d", ch.Kind, len(ch.Unplaced)), CreatedAt: ch.At})
	}
	return out
}

func (c *changes) kinds() []string {
	var out []string
	for _, ch := range c.got {
		out = append(out, ch.Kind+" "+ch.Person.Code)
	}
	sort.Strings(out)
	return out
}

func TestRemapWeChat(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			old := map[string]string{"@o1": "P001", "@o2": "P002", "@o3": "P003", "@o4": "P004", "@o5": "P005", "@keep6": "P006"}
			nicks := map[string]string{"@o1": "王芳", "@o2": "李强", "@o3": "老张", "@o4": "老张", "@o5": "阿明", "@keep6": "小六"}
			ids := remapFixture(t, s, old, nicks)
			contacts := []store.WeChatContact{
				{UserName: "@n1", RemarkName: "qq-P001", NickName: "李强"}, // the remark is the proof
				{UserName: "@n2", NickName: "李强"},                        // P002's old nickname: anyone can take it
				{UserName: "@n3", NickName: "老张"},
				{UserName: "@n5a", NickName: "阿明"},
				{UserName: "@n5b", NickName: "阿明"},
				{UserName: "@n7", NickName: "陌生人"},                        // never seen
				{UserName: "@n8", RemarkName: "QQ-P404", NickName: "无此人"}, // unknown code
				{UserName: "@keep6", NickName: "小六改名"},                    // key still valid: kept, renamed
				{UserName: "@n6", NickName: "小六"},                         // P006 holds a key already
			}
			var ch changes
			got, err := s.RemapWeChat(ctx, remapAccount, contacts, clock.Date(2026, 11, 2), ch.notify)
			if err != nil {
				t.Fatalf("RemapWeChat: %v", err)
			}
			want := store.RemapCounts{Kept: 1, ByRemark: 1, Unknown: 7, Removed: 5, Unplaced: 4}
			if got != want {
				t.Fatalf("counts %+v, want %+v", got, want)
			}
			for _, tc := range []struct {
				name, key string
				want      domain.PersonID
			}{
				{"remark is proof", "@n1", ids["P001"]},
				{"a nickname is never proof", "@n2", 0},
				{"a shared nickname is not guessed", "@n3", 0},
				{"unknown not guessed", "@n7", 0},
				{"unknown remark code", "@n8", 0},
				{"valid key kept", "@keep6", ids["P006"]},
				{"person with a key not mapped twice", "@n6", 0},
				{"stale key removed", "@o1", 0},
				{"stale key of an unplaced person removed", "@o2", 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if p := personOf(t, s, tc.key); p != tc.want {
						t.Fatalf("%s → person %d, want %d", tc.key, p, tc.want)
					}
				})
			}
			t.Run("each unplaced person is audited; with no unit nor admin there is no one to tell", func(t *testing.T) {
				if k := ch.kinds(); len(k) != 0 {
					t.Fatalf("changes %q", k)
				}
				old, err := s.IdentityAudit(ctx, ids["P002"])
				if err != nil || len(old) != 2 {
					t.Fatalf("audit of P002: %+v %v", old, err)
				}
				rows, err := s.AuditOf(ctx, "chat_identity", old[0].EntityID)
				if err != nil || len(rows) != 2 || rows[0].Action != store.ActBind || rows[1].Action != store.ActUnbind ||
					!strings.Contains(rows[1].Detail, "not placed") {
					t.Fatalf("audit of %d: %+v %v", ch.got[0].Old.ID, rows, err)
				}
			})
			t.Run("person account set", func(t *testing.T) {
				p, err := s.PersonByID(ctx, ids["P001"])
				if err != nil || p.Account != remapAccount {
					t.Fatalf("person %+v %v", p, err)
				}
			})
			t.Run("second run keeps everything", func(t *testing.T) {
				var again changes
				c, err := s.RemapWeChat(ctx, remapAccount, contacts, clock.Date(2026, 11, 3), again.notify)
				if err != nil {
					t.Fatal(err)
				}
				if c.Kept != 2 || c.ByRemark != 0 || c.Removed != 0 || c.Unplaced != 0 || len(again.got) != 0 {
					t.Fatalf("second run %+v, changes %q", c, again.kinds())
				}
			})
		})
	}
}

// identityFixture: cadre P1 and household member P2 in unit U1, whose coordinator K1 is reachable
// on WeCom; P1 is bound on WeChat (@a) and on the 服务号 (oP1).
func identityFixture(t *testing.T, s *store.Store) map[string]store.Person {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.UpsertUnits(ctx, []store.Unit{{Code: "U1", Name: "水利局"}}, nil))
	u, err := s.UnitByCode(ctx, "U1")
	must(err)
	must(s.UpsertHouseholds(ctx, []store.Household{{Code: "H1", HeadName: "周桂芝"}}, nil))
	h, err := s.HouseholdByCode(ctx, "H1")
	must(err)
	must(s.UpsertPeople(ctx, []store.Person{
		{Code: "P1", Name: "孙立平", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u.ID},
		{Code: "P2", Name: "周桂芝", Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &h.ID},
		{Code: "K1", Name: "冯玉梅", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &u.ID},
	}, nil))
	people, err := s.PeopleByCodes(ctx, []string{"P1", "P2", "K1"})
	must(err)
	must(s.UpsertPairings(ctx, []store.Pairing{{Code: "J1", CadreID: people["P1"].ID, HouseholdID: h.ID, StartOn: clock.Date(2026, 1, 5)}}))
	t0 := clock.Date(2026, 11, 1)
	for _, ci := range []store.ChatIdentity{
		{Transport: "wecom", Account: "corp", ExternalKey: "k1", PersonID: people["K1"].ID},
		{Transport: "mp", Account: "mp", ExternalKey: "oP1", PersonID: people["P1"].ID},
		{Transport: "wechat", Account: remapAccount, ExternalKey: "@a", PersonID: people["P1"].ID},
	} {
		must(s.BindChatIdentity(ctx, ci, t0))
	}
	return people
}

func queued(t *testing.T, s *store.Store, key string) store.OutboxMessage {
	t.Helper()
	m, err := s.OutboxByKey(context.Background(), key)
	if err != nil {
		t.Fatalf("notice %s not queued: %v", key, err)
	}
	return m
}

func TestBindAndNotify(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			people := identityFixture(t, s)
			p1, p2 := people["P1"], people["P2"]
			t1 := clock.Date(2026, 11, 2)
			wx := func(key string, p store.Person) store.ChatIdentity {
				return store.ChatIdentity{Transport: "wechat", Account: remapAccount, ExternalKey: key, PersonID: p.ID}
			}
			t.Run("a new key replaces the old one, which is told, as are the other channels", func(t *testing.T) {
				var ch changes
				if err := s.BindAndNotify(ctx, wx("@b", p1), t1, ch.notify); err != nil {
					t.Fatal(err)
				}
				if len(ch.got) != 1 || ch.got[0].Kind != store.ChangeBound || ch.got[0].Old.ExternalKey != "@a" ||
					len(ch.got[0].Others) != 1 || ch.got[0].Others[0].ExternalKey != "oP1" {
					t.Fatalf("changes %+v", ch.got)
				}
				if m := queued(t, s, ch.got[0].Ref+":0"); m.Account != "mp" || m.ToKey != "oP1" {
					t.Fatalf("notice %+v", m)
				}
				if m := queued(t, s, ch.got[0].Ref+":1"); m.Account != remapAccount || m.ToKey != "@a" {
					t.Fatalf("notice %+v", m)
				}
				rows, err := s.AuditOf(ctx, "chat_identity", ch.got[0].Old.ID)
				if err != nil || len(rows) != 2 || rows[1].Action != store.ActUnbind {
					t.Fatalf("audit of the replaced key: %+v %v", rows, err)
				}
			})
			t.Run("a key bound to someone else: the loser is told there and elsewhere", func(t *testing.T) {
				var ch changes
				if err := s.BindAndNotify(ctx, wx("@b", p2), t1, ch.notify); err != nil {
					t.Fatal(err)
				}
				if k := ch.kinds(); !slices.Equal(k, []string{"bound P2", "taken P1"}) {
					t.Fatalf("changes %q", k)
				}
				for _, c := range ch.got {
					if c.Kind == store.ChangeTaken && (c.By.ID != p2.ID || c.Old.ExternalKey != "@b" || len(c.Others) != 1) {
						t.Fatalf("taken %+v", c)
					}
				}
				if got := personOf(t, s, "@b"); got != p2.ID {
					t.Fatalf("@b → %d", got)
				}
			})
			t.Run("the same binding again tells no one", func(t *testing.T) {
				var ch changes
				if err := s.BindAndNotify(ctx, wx("@b", p2), t1, ch.notify); err != nil || len(ch.got) != 0 {
					t.Fatalf("%v, changes %+v", err, ch.got)
				}
			})
			t.Run("unplaced after a re-login, no other channel: one digest to the coordinator", func(t *testing.T) {
				var ch changes
				c, err := s.RemapWeChat(ctx, remapAccount, []store.WeChatContact{{UserName: "@c", NickName: "周桂芝"}}, t1, ch.notify)
				if err != nil || c.Unplaced != 1 {
					t.Fatalf("%+v %v", c, err)
				}
				if len(ch.got) != 1 || ch.got[0].Kind != store.ChangeUnplacedDigest || ch.got[0].Person.Code != "K1" ||
					len(ch.got[0].Unplaced) != 1 || ch.got[0].Unplaced[0].ID != p2.ID || ch.got[0].Old.Account != remapAccount {
					t.Fatalf("changes %+v", ch.got)
				}
				if m := queued(t, s, ch.got[0].Ref); m.PersonID == nil || *m.PersonID != people["K1"].ID {
					t.Fatalf("notice %+v", m)
				}
			})
			t.Run("unplaced with another channel: told there, and messages go there", func(t *testing.T) {
				if err := s.BindChatIdentity(ctx, wx("@d", p1), t1); err != nil {
					t.Fatal(err)
				}
				var ch changes
				c, err := s.RemapWeChat(ctx, remapAccount, []store.WeChatContact{{UserName: "@e", NickName: "孙立平"}}, t1, ch.notify)
				if err != nil || c.Unplaced != 1 {
					t.Fatalf("%+v %v", c, err)
				}
				if len(ch.got) != 1 || ch.got[0].Kind != store.ChangeUnplaced || ch.got[0].Person.ID != p1.ID ||
					len(ch.got[0].Others) != 1 || ch.got[0].Others[0].ExternalKey != "oP1" {
					t.Fatalf("changes %+v", ch.got)
				}
				if p, err := s.PersonByID(ctx, p1.ID); err != nil || p.Account != "mp" {
					t.Fatalf("P1's account %q %v, want mp", p.Account, err)
				}
			})
		})
	}
}

func TestRemapWeChatDuplicateRemark(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			s := b.Open(t)
			remapFixture(t, s, nil, nil)
			got, err := s.RemapWeChat(context.Background(), remapAccount, []store.WeChatContact{
				{UserName: "@a", RemarkName: "qq-P003"}, {UserName: "@b", RemarkName: "qq-P003"},
			}, clock.Date(2026, 11, 2), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got.Ambiguous != 2 || got.ByRemark != 0 || personOf(t, s, "@a") != 0 {
				t.Fatalf("counts %+v", got)
			}
		})
	}
}
