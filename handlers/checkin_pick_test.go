package handlers_test

import (
	"slices"
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
		{"given name", "秋菊", false, 2},
		{"given name and a word of kinship", "秀英大姐", false, 3},
		{"given name, kinship and home", "秀英大姐家", false, 3},
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

func TestPickSeveral(t *testing.T) {
	names := []string{"王春发", "王春", "李秀英"}
	cases := []struct {
		name, in string
		want     []int
	}{
		{"two names with 和", "王春发和李秀英", []int{1, 3}},
		{"names with a space and 都去了", "李秀英 王春发 都去了", []int{3, 1}},
		{"the longer name first", "王春发、王春", []int{1, 2}},
		{"names with 家", "王春发家和李秀英家", []int{1, 3}},
		{"numbers", "1 3", []int{1, 3}},
		{"numbers with 、 and 都记", "1、2都记", []int{1, 2}},
		{"ordinals", "第一个和第三个", []int{1, 3}},
		{"three", "1和2还有3", []int{1, 2, 3}},
		{"one name is not several", "李秀英", nil},
		{"one named twice", "李秀英和李秀英", nil},
		{"a number past the list", "1 4", nil},
		{"twelve is not one and two", "12", nil},
		{"a surname alone", "王和李秀英", nil},
		{"more words: maybe a report", "1 2 都去了 送米", nil},
		{"someone else", "李秀英和赵长顺", nil},
		{"empty", "", nil},
		{"fillers only", "都去了", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := handlers.PickSeveral(tc.in, names); !slices.Equal(got, tc.want) {
				t.Fatalf("PickSeveral(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzPickSeveral: any answer picks nothing, or two or more different choices among those offered.
func FuzzPickSeveral(f *testing.F) {
	for _, s := range []string{"王春发和李秀英", "1、2都记", "第一个和第三个", "李秀英 王春发 都去了", "1 2 3 4"} {
		f.Add(s)
	}
	names := []string{"王春发", "王春", "李秀英"}
	f.Fuzz(func(t *testing.T, in string) {
		got := handlers.PickSeveral(in, names)
		if got == nil {
			return
		}
		seen := map[int]bool{}
		for _, n := range got {
			if n < 1 || n > len(names) || seen[n] {
				t.Fatalf("PickSeveral(%q) = %v", in, got)
			}
			seen[n] = true
		}
		if len(got) < 2 {
			t.Fatalf("PickSeveral(%q) = %v, fewer than two", in, got)
		}
	})
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
