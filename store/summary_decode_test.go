package store

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"qinqi/internal/domain"
)

var shanghai = time.FixedZone("CST", 8*3600)

func TestDecodeSummaryKeepsTheWindow(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04:05", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	entry := func(k domain.CheckInKind, s string) string {
		e, err := summaryEntry(k, at(s))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	visit, call := domain.CheckInKinds[1], domain.CheckInKinds[0]
	row := entry(call, "2027-01-31 23:59:59") + entry(visit, "2027-02-01 00:00:00") +
		entry(call, "2027-02-14 10:30:00") + entry(visit, "2027-02-28 18:00:00") + entry(visit, "2027-02-28 18:00:01")
	tests := []struct {
		name     string
		recent   string
		from, to time.Time
		want     []string
		wantErr  bool
	}{
		{"open bounds keep everything", row, time.Time{}, time.Time{},
			[]string{"2027-01-31 23:59:59", "2027-02-01 00:00:00", "2027-02-14 10:30:00", "2027-02-28 18:00:00", "2027-02-28 18:00:01"}, false},
		{"both bounds inclusive", row, at("2027-02-01 00:00:00"), at("2027-02-28 18:00:00"),
			[]string{"2027-02-01 00:00:00", "2027-02-14 10:30:00", "2027-02-28 18:00:00"}, false},
		{"a bound between seconds", row, at("2027-02-01 00:00:00").Add(time.Millisecond), at("2027-02-28 18:00:00").Add(time.Millisecond),
			[]string{"2027-02-14 10:30:00", "2027-02-28 18:00:00"}, false},
		{"empty row", "", time.Time{}, time.Time{}, nil, false},
		{"extra spaces", "  " + strings.ReplaceAll(row, " ", "   "), at("2027-02-28 00:00:00"), time.Time{},
			[]string{"2027-02-28 18:00:00", "2027-02-28 18:00:01"}, false},
		{"unknown kind letter", "x1a2b3c ", time.Time{}, time.Time{}, nil, true},
		{"letter without time", "v ", time.Time{}, time.Time{}, nil, true},
		{"not base 36", "v12_4 ", time.Time{}, time.Time{}, nil, true},
		{"overflow", "v" + strings.Repeat("z", 13) + " ", time.Time{}, time.Time{}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeSummary(tc.recent, tc.from, tc.to, shanghai, nil)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			var when []string
			for _, f := range got {
				when = append(when, f.At.Format("2006-01-02 15:04:05"))
				if f.At.Location() != shanghai {
					t.Errorf("%v is not in the store's zone", f.At)
				}
			}
			if strings.Join(when, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", when, tc.want)
			}
		})
	}
}

// FuzzParseEntry checks the hand-written reader against strconv: it accepts exactly the entries
// strconv.ParseInt reads in base 36 after a known kind letter, with the same value.
func FuzzParseEntry(f *testing.F) {
	for _, s := range []string{"v1q2w3e", "c0", "d-1", "pzzzzzzzzzzzz", "w" + strconv.FormatInt(1<<62, 36), "x12", "v", "v+1", "vAB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, e string) {
		kind, sec, err := parseEntry(e)
		var want int64
		var werr error = strconv.ErrSyntax
		if len(e) >= 2 && letterKind(e[0]) != "" && e[1] != '+' {
			want, werr = strconv.ParseInt(e[1:], 36, 64)
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("parseEntry(%q) err %v, strconv %v", e, err, werr)
		}
		if err == nil && (sec != want || kind != letterKind(e[0])) {
			t.Fatalf("parseEntry(%q) = %s %d, strconv %d", e, kind, sec, want)
		}
	})
}

func BenchmarkDecodeSummary(b *testing.B) {
	var row strings.Builder
	start := time.Date(2027, 1, 1, 9, 0, 0, 0, shanghai)
	for i := range 20 {
		e, _ := summaryEntry(domain.CheckInKinds[i%2], start.Add(time.Duration(i)*9*24*time.Hour))
		row.WriteString(e)
	}
	recent, from := row.String(), start.Add(30*24*time.Hour)
	b.ReportAllocs()
	var out []CheckInFact
	for b.Loop() {
		out, _ = decodeSummary(recent, from, time.Time{}, shanghai, out[:0])
	}
}
