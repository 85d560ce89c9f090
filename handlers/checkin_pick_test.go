package handlers_test

import (
	"testing"

	"qinqi/handlers"
)

func TestPickNamed(t *testing.T) {
	names := []string{"王春发", "王秋菊", "李秀英"}
	cases := []struct {
		name, in string
		all      bool
		want     int
	}{
		{"full name", "王秋菊", false, 2},
		{"name with 家", "李秀英家", false, 3},
		{"is the name", "是王春发那户", false, 1},
		{"first characters", "王秋", false, 2},
		{"shared surname", "王", false, 0},
		{"elder's form, one surname", "李奶奶", false, 3},
		{"elder's form, shared surname", "王大爷", false, 0},
		{"old and surname", "老李", false, 3},
		{"ordinal in Chinese", "第三个", false, 3},
		{"ordinal in digits", "第1户", false, 1},
		{"ordinal past the list", "第四个", false, 0},
		{"all when offered", "都记", true, 4},
		{"all when not offered", "都记", false, 0},
		{"nobody", "赵长顺", false, 0},
		{"empty", "", false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.PickNamed(tc.in, names, tc.all); got != tc.want {
				t.Fatalf("PickNamed(%q) = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzPickNamed: any answer picks nothing or one of the choices offered.
func FuzzPickNamed(f *testing.F) {
	for _, s := range []string{"王秋菊", "第三个", "都记", "老李", "是王春发那户", "第99个"} {
		f.Add(s, true)
	}
	names := []string{"王春发", "王秋菊", "李秀英"}
	f.Fuzz(func(t *testing.T, in string, all bool) {
		got, most := handlers.PickNamed(in, names, all), len(names)
		if all {
			most++
		}
		if got < 0 || got > most {
			t.Fatalf("PickNamed(%q, all=%v) = %d, out of 0..%d", in, all, got, most)
		}
	})
}
