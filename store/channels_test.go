package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

func TestWecomUserIDFromTheSheet(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			rows := []store.Person{{Code: "P1", Name: "张伟", Roles: domain.MakeRoles(domain.RoleCadre), WecomUserID: "ZhangWei"},
				{Code: "P2", Name: "刘霞", Roles: domain.MakeRoles(domain.RoleCadre)}}
			if err := s.UpsertPeople(ctx, rows, []string{"Name", "Roles", "WecomUserID"}); err != nil {
				t.Fatal(err)
			}
			p1, _ := s.PersonByCode(ctx, "P1")
			if got, err := s.PersonByChatKey(ctx, "wecom", "wecom", "ZhangWei"); err != nil || got != p1.ID {
				t.Fatalf("PersonByChatKey = %d, %v; want %d", got, err, p1.ID)
			}
			if _, err := s.PersonByChatKey(ctx, "mp", "mp", "ZhangWei"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another transport found the WeCom userid: %v", err)
			}
			if key, err := s.ChatKeyOfPerson(ctx, "wecom", "wecom", p1.ID); err != nil || key != "ZhangWei" {
				t.Errorf("ChatKeyOfPerson = %q, %v", key, err)
			}
			p2, _ := s.PersonByCode(ctx, "P2")
			if _, err := s.ChatKeyOfPerson(ctx, "wecom", "wecom", p2.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("person without a userid: %v, want ErrNotFound", err)
			}
		})
	}
}

func TestLastUsedAccountAndHeldMessages(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			id := addPeople(t, s, "H1")[0]
			if err := s.BindChatIdentity(ctx, store.ChatIdentity{Transport: "mp", Account: "mp", ExternalKey: "oH1", PersonID: id}, t0); err != nil {
				t.Fatal(err)
			}
			in := store.InboxMessage{Transport: "wechat", Account: "wx1", MsgID: "1", SenderKey: "k", Kind: "text", Status: store.InNew, ReceivedAt: t0}
			if err := s.SaveInbound(ctx, &in); err != nil {
				t.Fatal(err)
			}
			if err := s.CompleteInbound(ctx, in.ID, store.InboxResult{Status: store.InDone, PersonID: id}, t0); err != nil {
				t.Fatal(err)
			}
			if p, _ := s.PersonByID(ctx, id); p.Account != "wx1" {
				t.Errorf("account after writing on wx1 = %q", p.Account)
			}
			o, err := s.EnqueueOutbox(ctx, store.OutboxMessage{Key: "remind:x:1", PersonID: &id, Text: "中秋快乐", CreatedAt: t0})
			if err != nil || o.Account != "wx1" {
				t.Fatalf("enqueue: %+v %v", o, err)
			}
			if err := s.DeferOutbox(ctx, o.ID, t0.Add(time.Hour), "held: outside the window"); err != nil {
				t.Fatal(err)
			}
			held, err := s.HeldOutbox(ctx, 10)
			if err != nil || len(held) != 1 || held[0].Attempts != 0 || !held[0].NextAttemptAt.Equal(t0.Add(time.Hour)) {
				t.Errorf("held = %+v, %v", held, err)
			}
		})
	}
}
