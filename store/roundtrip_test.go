package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// rtTime is 08:30:00.123 Beijing time: the wall clock must survive on a UTC host, to the millisecond.
var rtTime = time.Date(2026, 2, 17, 8, 30, 0, 123_000_000, clock.Shanghai)

var reSize = regexp.MustCompile(`size:(\d+)`)

// fill sets every exported field of the struct v points to (except the primary key) to a
// deterministic non-zero value that fits the column, so a round trip exercises every column.
func fill(v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "ID" {
			continue
		}
		size := 64
		if m := reSize.FindStringSubmatch(f.Tag.Get("gorm")); m != nil {
			size, _ = strconv.Atoi(m[1])
		}
		fillValue(v.Field(i), f.Name, size)
	}
}

func fillValue(fv reflect.Value, name string, size int) {
	switch {
	case fv.Type() == reflect.TypeOf(time.Time{}):
		fv.Set(reflect.ValueOf(rtTime))
	case fv.Kind() == reflect.Pointer:
		fv.Set(reflect.New(fv.Type().Elem()))
		fillValue(fv.Elem(), name, size)
	case fv.Kind() == reflect.String:
		s := []rune("王春发😀" + name)
		fv.SetString(string(s[:min(len(s), size)]))
	case fv.CanInt():
		fv.SetInt(7)
	case fv.CanFloat():
		fv.SetFloat(30.25)
	case fv.Kind() == reflect.Bool:
		fv.SetBool(true)
	}
}

// diff lists the fields that differ, comparing times as instants.
func diff(want, got reflect.Value) []string {
	var out []string
	for i := range want.NumField() {
		name := want.Type().Field(i).Name
		w, g := want.Field(i).Interface(), got.Field(i).Interface()
		if wt, ok := w.(time.Time); ok {
			if !wt.Equal(g.(time.Time)) {
				out = append(out, fmt.Sprintf("%s: want %v, got %v", name, wt, g))
			}
			continue
		}
		if wp, ok := w.(*time.Time); ok {
			gp := g.(*time.Time)
			if (wp == nil) != (gp == nil) || (wp != nil && !wp.Equal(*gp)) {
				out = append(out, fmt.Sprintf("%s: want %v, got %v", name, wp, gp))
			}
			continue
		}
		if !reflect.DeepEqual(w, g) {
			out = append(out, fmt.Sprintf("%s: want %#v, got %#v", name, w, g))
		}
	}
	return out
}

func TestRoundTripEveryModel(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			for _, m := range store.AllModelsForTest() {
				typ := reflect.TypeOf(m).Elem()
				t.Run(typ.Name(), func(t *testing.T) {
					want := reflect.New(typ)
					fill(want.Elem())
					if err := s.InsertFixture(ctx, want.Interface()); err != nil {
						t.Fatalf("create: %v", err)
					}
					id := want.Elem().FieldByName("ID").Interface()
					got := reflect.New(typ)
					if err := s.ReadBackForTest(ctx, got.Interface(), id); err != nil {
						t.Fatalf("read back id %v: %v", id, err)
					}
					if d := diff(want.Elem(), got.Elem()); len(d) > 0 {
						t.Errorf("round trip changed %d field(s):\n%s", len(d), strings.Join(d, "\n"))
					}
				})
			}
		})
	}
}

func TestEmojiNameSurvives(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			const name = "王春发😀"
			if err := s.UpsertPeople(ctx, []store.Person{{Code: "E1", Name: name, Roles: domain.MakeRoles(domain.RoleHousehold)}}, nil); err != nil {
				t.Fatal(err)
			}
			if err := s.UpsertHouseholds(ctx, []store.Household{{Code: "HE1", HeadName: name, Address: "😀村1组"}}, nil); err != nil {
				t.Fatal(err)
			}
			p, err := s.PersonByCode(ctx, "E1")
			if err != nil || p.Name != name || p.Initials != "wcf" {
				t.Errorf("person = %q initials %q, %v; want %q wcf", p.Name, p.Initials, err, name)
			}
			h, err := s.HouseholdByCode(ctx, "HE1")
			if err != nil || h.HeadName != name || h.Address != "😀村1组" {
				t.Errorf("household = %q %q, %v", h.HeadName, h.Address, err)
			}
		})
	}
}

// TestShanghaiWallClockOnUTCHost writes 08:30 Beijing time while the process zone is UTC and
// expects the same instant back, and 08:30 as the stored wall clock (what other clients see).
func TestShanghaiWallClockOnUTCHost(t *testing.T) {
	saved := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = saved })
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			at := time.Date(2026, 2, 17, 8, 30, 0, 0, clock.Shanghai)
			row := &store.AuditLog{Action: "test", Entity: "clock", At: at.UTC()} // handed over as UTC on purpose
			if err := s.InsertFixture(ctx, row); err != nil {
				t.Fatal(err)
			}
			var got store.AuditLog
			if err := s.ReadBackForTest(ctx, &got, row.ID); err != nil {
				t.Fatal(err)
			}
			if !got.At.Equal(at) {
				t.Errorf("instant: got %v, want %v", got.At, at)
			}
			if sh := got.At.In(clock.Shanghai); sh.Hour() != 8 || sh.Minute() != 30 {
				t.Errorf("wall clock in Shanghai: got %s, want 08:30", sh.Format("15:04"))
			}
			raw, err := s.RawColumnForTest(ctx, "audit_logs", "at", row.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(raw, "08:30:00") {
				t.Errorf("stored value %q does not hold the Beijing wall clock 08:30:00", raw)
			}
		})
	}
}

// TestConcurrentWritersSQLite runs 8 goroutines × 40 read-then-insert transactions, the pattern
// that gives "database is locked" without WAL and immediate transactions.
func TestConcurrentWritersSQLite(t *testing.T) {
	ctx := context.Background()
	s := testenv.SQLite(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8*40)
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				errs <- s.Tx(ctx, func(tx *store.Store) error {
					if _, err := tx.CountOrg(ctx); err != nil {
						return err
					}
					return tx.UpsertPrograms(ctx, []store.Program{{Code: fmt.Sprintf("P%d-%d", g, i), Name: "并发"}})
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if err != nil {
			n++
			if n <= 3 {
				t.Errorf("transaction failed: %v", err)
			}
		}
	}
	if n > 0 {
		t.Fatalf("%d of 320 transactions failed", n)
	}
	c, err := s.CountOrg(ctx)
	if err != nil || c.Programs != 320 {
		t.Fatalf("programs = %d, %v; want 320", c.Programs, err)
	}
}

func TestLookupsReturnErrNotFound(t *testing.T) {
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := b.Open(t)
			cases := map[string]func() error{
				"RegionByCode":    func() error { _, err := s.RegionByCode(ctx, "nope"); return err },
				"RegionByID":      func() error { _, err := s.RegionByID(ctx, 99); return err },
				"UnitByCode":      func() error { _, err := s.UnitByCode(ctx, "nope"); return err },
				"UnitByID":        func() error { _, err := s.UnitByID(ctx, 99); return err },
				"PersonByCode":    func() error { _, err := s.PersonByCode(ctx, "nope"); return err },
				"PersonByID":      func() error { _, err := s.PersonByID(ctx, 99); return err },
				"HouseholdByCode": func() error { _, err := s.HouseholdByCode(ctx, "nope"); return err },
				"HouseholdByID":   func() error { _, err := s.HouseholdByID(ctx, 99); return err },
				"ProgramByCode":   func() error { _, err := s.ProgramByCode(ctx, "nope"); return err },
				"ProgramByName":   func() error { _, err := s.ProgramByName(ctx, "nope"); return err },
				"PairingByCode":   func() error { _, err := s.PairingByCode(ctx, "nope"); return err },
				"PairingByID":     func() error { _, err := s.PairingByID(ctx, 99); return err },
				"UnitSubtree":     func() error { _, err := s.UnitSubtree(ctx, 99); return err },
			}
			for name, call := range cases {
				t.Run(name, func(t *testing.T) {
					if err := call(); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("got %v, want ErrNotFound", err)
					}
				})
			}
		})
	}
}
