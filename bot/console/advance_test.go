package console

import (
	"strings"
	"testing"
	"time"
)

func TestParseAdvance(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    time.Duration
		errPart string
	}{
		{"3d", 72 * time.Hour, ""},
		{"2h", 2 * time.Hour, ""},
		{"30m", 30 * time.Minute, ""},
		{" 1m ", time.Minute, ""},
		{"366d", MaxAdvance, ""},
		{"", 0, "缺少时长"},
		{"3", 0, "看不懂"},
		{"d", 0, "看不懂"},
		{"3w", 0, "看不懂"},
		{"3D", 0, "看不懂"},
		{"1.5h", 0, "看不懂"},
		{"3 d", 0, "看不懂"},
		{"+3d", 0, "看不懂"},
		{"３d", 0, "看不懂"},
		{"3天", 0, "看不懂"},
		{"-3d", 0, "只能往后拨"},
		{"0h", 0, "只能往后拨"},
		{"0m", 0, "只能往后拨"},
		{"367d", 0, "太长"},
		{"8785h", 0, "太长"},
		{"99999999999999999999d", 0, "看不懂"},
		{"9223372036854775807m", 0, "太长"},
	} {
		got, err := ParseAdvance(c.in)
		switch {
		case c.errPart == "" && (err != nil || got != c.want):
			t.Errorf("ParseAdvance(%q) = %v, %v; want %v", c.in, got, err, c.want)
		case c.errPart != "" && (err == nil || !strings.Contains(err.Error(), c.errPart)):
			t.Errorf("ParseAdvance(%q) = %v, %v; want an error saying %q", c.in, got, err, c.errPart)
		}
	}
}

func TestAdvanceLine(t *testing.T) {
	for _, c := range []struct {
		line, arg string
		ok        bool
	}{
		{"# advance 3d", "3d", true},
		{"  #advance   2h", "2h", true},
		{"# advance", "", true},
		{"# advance -1d", "-1d", true},
		{"# advance 3 d", "3 d", true},
		{"# advanced users may skip this", "", false},
		{"# Advance 3d", "", false},
		{"# the clock: advance 3d", "", false},
		{"@P001 # advance 3d", "", false},
		{"#", "", false},
	} {
		arg, ok := advanceLine(c.line)
		if arg != c.arg || ok != c.ok {
			t.Errorf("advanceLine(%q) = %q, %v; want %q, %v", c.line, arg, ok, c.arg, c.ok)
		}
	}
}
