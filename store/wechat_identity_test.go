package store_test

import (
	"context"
	"errors"
	"testing"

	"qinqi/internal/clock"
	"qinqi/internal/testenv"
	"qinqi/store"
)

const remapAccount = "city-1"

// remapFixture makes people P001…P006 and binds their previous-login keys with nicknames.
func remapFixture(t *testing.T, s *store.Store, old map[string]string, nicks map[string]string) map[string]store.PersonID {
	t.Helper()
	ctx := context.Background()
	var rows []store.Person
	for _, c := range []string{"P001", "P002", "P003", "P004", "P005", "P006"} {
		rows = append(rows, store.Person{Code: c, Name: "人" + c, Roles: store.MakeRoles(store.RoleHousehold)})
	}
	if err := s.UpsertPeople(ctx, rows, nil); err != nil {
		t.Fatalf("people: %v", err)
	}
	ids := map[string]store.PersonID{}
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

func personOf(t *testing.T, s *store.Store, key string) store.PersonID {
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

func TestRemapWeChat(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			old := map[string]string{"@o1": "P001", "@o2": "P002", "@o3": "P003", "@o4": "P004", "@o5": "P005", "@keep6": "P006"}
			nicks := map[string]string{"@o1": "王芳", "@o2": "李强", "@o3": "老张", "@o4": "老张", "@o5": "阿明", "@keep6": "小六"}
			ids := remapFixture(t, s, old, nicks)
			contacts := []store.WeChatContact{
				{UserName: "@n1", RemarkName: "qq-P001", NickName: "李强"}, // remark beats the nickname of P002
				{UserName: "@n2", NickName: "李强"},                        // nickname of exactly one old row
				{UserName: "@n3", NickName: "老张"},                        // two old rows had it
				{UserName: "@n5a", NickName: "阿明"},                       // two friends have it now
				{UserName: "@n5b", NickName: "阿明"},
				{UserName: "@n7", NickName: "陌生人"},                        // never seen
				{UserName: "@n8", RemarkName: "QQ-P404", NickName: "无此人"}, // unknown code, unknown nickname
				{UserName: "@keep6", NickName: "小六改名"},                    // key still valid: kept, renamed
				{UserName: "@n6", NickName: "小六"},                         // P006 already holds a key
			}
			got, err := s.RemapWeChat(ctx, remapAccount, contacts, clock.Date(2026, 11, 2))
			if err != nil {
				t.Fatalf("RemapWeChat: %v", err)
			}
			want := store.RemapCounts{Kept: 1, ByRemark: 1, ByNickName: 1, Ambiguous: 4, Unknown: 2, Removed: 5}
			if got != want {
				t.Fatalf("counts %+v, want %+v", got, want)
			}
			for _, tc := range []struct {
				name, key string
				want      store.PersonID
			}{
				{"remark wins over nickname", "@n1", ids["P001"]},
				{"unique nickname", "@n2", ids["P002"]},
				{"duplicate old nickname not guessed", "@n3", 0},
				{"duplicate new nickname not guessed", "@n5a", 0},
				{"unknown not guessed", "@n7", 0},
				{"unknown remark code", "@n8", 0},
				{"valid key kept", "@keep6", ids["P006"]},
				{"person with a key not mapped twice", "@n6", 0},
				{"stale key removed", "@o1", 0},
				{"stale ambiguous key removed", "@o3", 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if p := personOf(t, s, tc.key); p != tc.want {
						t.Fatalf("%s → person %d, want %d", tc.key, p, tc.want)
					}
				})
			}
			t.Run("person account set", func(t *testing.T) {
				p, err := s.PersonByID(ctx, ids["P001"])
				if err != nil || p.Account != remapAccount {
					t.Fatalf("person %+v %v", p, err)
				}
			})
			t.Run("second run keeps everything", func(t *testing.T) {
				again, err := s.RemapWeChat(ctx, remapAccount, contacts, clock.Date(2026, 11, 3))
				if err != nil {
					t.Fatal(err)
				}
				if again.Kept != 3 || again.ByRemark+again.ByNickName != 0 || again.Removed != 0 {
					t.Fatalf("second run %+v", again)
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
			}, clock.Date(2026, 11, 2))
			if err != nil {
				t.Fatal(err)
			}
			if got.Ambiguous != 2 || got.ByRemark != 0 || personOf(t, s, "@a") != 0 {
				t.Fatalf("counts %+v", got)
			}
		})
	}
}
