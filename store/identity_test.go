package store_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, clock.Shanghai)

// addPeople writes people with the given codes and returns their ids in order.
func addPeople(t testing.TB, s *store.Store, codes ...string) []domain.PersonID {
	t.Helper()
	ctx := context.Background()
	rows := make([]store.Person, len(codes))
	for i, c := range codes {
		rows[i] = store.Person{Code: c, Name: "人" + c, Roles: domain.MakeRoles(domain.RoleCadre)}
	}
	if err := s.UpsertPeople(ctx, rows, nil); err != nil {
		t.Fatalf("add people: %v", err)
	}
	ids := make([]domain.PersonID, len(codes))
	for i, c := range codes {
		p, err := s.PersonByCode(ctx, c)
		if err != nil {
			t.Fatalf("person %s: %v", c, err)
		}
		ids[i] = p.ID
	}
	return ids
}

func TestBindCodes(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			ids := addPeople(t, s, "C001", "C002")

			t.Run("fresh code is six digits and unique among live codes", func(t *testing.T) {
				seen := map[string]bool{}
				for range 50 {
					bc, err := s.NewBindCode(ctx, ids[0], t0, 7*24*time.Hour)
					if err != nil {
						t.Fatal(err)
					}
					if !regexp.MustCompile(`^\d{6}$`).MatchString(bc.Code) || seen[bc.Code] {
						t.Fatalf("code %q malformed or repeated", bc.Code)
					}
					seen[bc.Code] = true
					if !bc.ExpiresAt.Equal(t0.Add(7 * 24 * time.Hour)) {
						t.Fatalf("expiry %v", bc.ExpiresAt)
					}
				}
			})
			t.Run("valid code binds once", func(t *testing.T) {
				bc, _ := s.NewBindCode(ctx, ids[1], t0, time.Hour)
				if p, err := s.CheckBindCode(ctx, bc.Code, t0); err != nil || p != ids[1] {
					t.Fatalf("check = %v, %v", p, err)
				}
				p, err := s.UseBindCode(ctx, bc.Code, t0.Add(time.Minute))
				if err != nil || p != ids[1] {
					t.Fatalf("use = %v, %v", p, err)
				}
				if _, err := s.UseBindCode(ctx, bc.Code, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrBindCodeUsed) {
					t.Fatalf("second use err = %v, want ErrBindCodeUsed", err)
				}
				if _, err := s.CheckBindCode(ctx, bc.Code, t0.Add(2*time.Minute)); !errors.Is(err, store.ErrBindCodeUsed) {
					t.Fatalf("check after use err = %v, want ErrBindCodeUsed", err)
				}
			})
			t.Run("expired code is refused", func(t *testing.T) {
				bc, _ := s.NewBindCode(ctx, ids[1], t0, time.Hour)
				if _, err := s.UseBindCode(ctx, bc.Code, t0.Add(time.Hour)); !errors.Is(err, store.ErrBindCodeExpired) {
					t.Fatalf("err = %v, want ErrBindCodeExpired", err)
				}
			})
			t.Run("unknown code is not found", func(t *testing.T) {
				if _, err := s.UseBindCode(ctx, "abc", t0); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("err = %v", err)
				}
			})
			t.Run("unknown person gets no code", func(t *testing.T) {
				if _, err := s.NewBindCode(ctx, 99999, t0, time.Hour); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("err = %v", err)
				}
			})
		})
	}
}

func TestChatIdentity(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			ids := addPeople(t, s, "C001", "C002")
			bind := func(key string, p domain.PersonID) {
				t.Helper()
				if err := s.BindChatIdentity(ctx, store.ChatIdentity{Transport: "wechat", Account: "a1", ExternalKey: key, PersonID: p}, t0); err != nil {
					t.Fatal(err)
				}
			}
			t.Run("bind resolves both ways and sets the account", func(t *testing.T) {
				bind("@u1", ids[0])
				if p, err := s.PersonByChatKey(ctx, "wechat", "a1", "@u1"); err != nil || p != ids[0] {
					t.Fatalf("by key = %v, %v", p, err)
				}
				if k, err := s.ChatKeyOfPerson(ctx, "wechat", "a1", ids[0]); err != nil || k != "@u1" {
					t.Fatalf("key of person = %q, %v", k, err)
				}
				if p, _ := s.PersonByID(ctx, ids[0]); p.Account != "a1" {
					t.Fatalf("account = %q", p.Account)
				}
			})
			t.Run("a new key replaces the old one", func(t *testing.T) {
				bind("@u1-new", ids[0])
				if _, err := s.PersonByChatKey(ctx, "wechat", "a1", "@u1"); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("old key still bound: %v", err)
				}
				if n, _ := s.CountChatIdentities(ctx, "wechat", "a1"); n != 1 {
					t.Fatalf("identities = %d, want 1", n)
				}
			})
			t.Run("a key taken by another person moves", func(t *testing.T) {
				bind("@u1-new", ids[1])
				if p, _ := s.PersonByChatKey(ctx, "wechat", "a1", "@u1-new"); p != ids[1] {
					t.Fatalf("key belongs to %v", p)
				}
				if _, err := s.ChatKeyOfPerson(ctx, "wechat", "a1", ids[0]); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("first person still has a key: %v", err)
				}
			})
			t.Run("bind with code rolls back when accept fails", func(t *testing.T) {
				bc, _ := s.NewBindCode(ctx, ids[0], t0, time.Hour)
				ci := store.ChatIdentity{Transport: "wechat", Account: "a1", ExternalKey: "@f1"}
				_, err := s.BindWithCode(ctx, bc.Code, ci, t0, func() error { return errors.New("offline") }, nil)
				if err == nil {
					t.Fatal("want an error")
				}
				p, err := s.BindWithCode(ctx, bc.Code, ci, t0, func() error { return nil }, nil)
				if err != nil || p != ids[0] {
					t.Fatalf("second try = %v, %v (the code must still be valid)", p, err)
				}
			})
		})
	}
}
