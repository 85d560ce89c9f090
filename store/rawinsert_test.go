package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestHandWrittenInsertsCoverTheModels writes every column of the rows the check-in path inserts by
// hand (check-in, outbox message, inbound message, audit row) and reads them back through gorm: a column added to a
// model but not to its INSERT comes back empty and fails here.
func TestHandWrittenInsertsCoverTheModels(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			for _, m := range []any{&store.CheckIn{}, &store.OutboxMessage{}, &store.InboxMessage{}} {
				typ := reflect.TypeOf(m).Elem()
				t.Run(typ.Name(), func(t *testing.T) {
					want := reflect.New(typ)
					fill(want.Elem())
					if err := s.InsertHandWrittenForTest(ctx, want.Interface()); err != nil {
						t.Fatalf("insert: %v", err)
					}
					id := want.Elem().FieldByName("ID").Interface()
					if reflect.ValueOf(id).Int() == 0 {
						t.Fatal("the insert did not set the new row's id")
					}
					got := reflect.New(typ)
					if err := s.ReadBackForTest(ctx, got.Interface(), id); err != nil {
						t.Fatalf("read back id %v: %v", id, err)
					}
					if d := diff(want.Elem(), got.Elem()); len(d) > 0 {
						t.Errorf("hand-written insert lost %d field(s):\n%s", len(d), strings.Join(d, "\n"))
					}
					if err := s.InsertHandWrittenForTest(ctx, want.Interface()); !store.IsDuplicate(err) {
						t.Errorf("the same unique key again: got %v, want a duplicate-key error", err)
					}
				})
			}
			t.Run("AuditLog", func(t *testing.T) {
				e := store.AuditEntry{Actor: domain.PersonID(7), Action: "act", Entity: "raw", EntityID: 9, Detail: "王春发😀 detail", At: rtTime}
				if err := s.Audit(ctx, e); err != nil {
					t.Fatal(err)
				}
				if err := s.Audit(ctx, store.AuditEntry{Action: "act", Entity: "raw", EntityID: 9, At: rtTime}); err != nil {
					t.Fatal(err)
				}
				rows, err := s.AuditOf(ctx, "raw", 9)
				if err != nil || len(rows) != 2 {
					t.Fatalf("audit rows %+v, %v", rows, err)
				}
				r := rows[0]
				if r.ActorID == nil || *r.ActorID != 7 || r.Action != "act" || r.Detail != e.Detail || !r.At.Equal(rtTime) || r.ID == 0 {
					t.Errorf("audit row %+v, want %+v", r, e)
				}
				if rows[1].ActorID != nil {
					t.Errorf("no actor stored as %v, want NULL", *rows[1].ActorID)
				}
			})
		})
	}
}
