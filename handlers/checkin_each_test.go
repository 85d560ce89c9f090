package handlers_test

import (
	"fmt"
	"strings"
	"testing"

	"qinqi/handlers"
)

// TestSplitEach: where list numbers start households' parts of one report, for a cadre with three
// households; everything else is one report, as before.
func TestSplitEach(t *testing.T) {
	cases := []struct {
		name, in, prefix string
		parts            []string // "number:text"
	}{
		{"policy by numbers", "讲政策 1 讲了医保 2 讲了低保", "讲政策 ", []string{"1:1 讲了医保", "2:2 讲了低保"}},
		{"goods and money each", "送温暖 1 米20斤 2户 油2桶 现金200元", "送温暖 ", []string{"1:1 米20斤", "2:2户 油2桶 现金200元"}},
		{"a date first, 、 after the numbers, out of order", "昨天 讲政策 3、讲了养老；1、讲了医保", "昨天 讲政策 ", []string{"3:3、讲了养老", "1:1、讲了医保"}},
		{"a quantity is no part", "送温暖 1 米 2 袋 2 油 3 桶", "送温暖 ", []string{"1:1 米 2 袋", "2:2 油 3 桶"}},
		{"提醒 is a word, not 提 of goods", "电话 1 提醒交医保 2 问春耕", "电话 ", []string{"1:1 提醒交医保", "2:2 问春耕"}},
		{"a list", "走访 1、2 送米", "", nil},
		{"numbers alone", "电话 1 2 3", "", nil},
		{"one part", "讲政策 1 讲了医保", "", nil},
		{"a number twice", "讲政策 1 讲了医保 1 讲了低保", "", nil},
		{"a number past the list", "讲政策 1 讲了医保 4 讲了低保", "", nil},
		{"numbers before words, spaced", "讲政策 1讲了医保 2讲了低保", "讲政策 ", []string{"1:1讲了医保", "2:2讲了低保"}},
		{"a number glued to the words before it", "讲政策 1讲了医保2讲了低保", "", nil},
		{"a count of people", "走访 1 讲了政策 3 人在家", "", nil},
		{"a date is no number", "讲政策 12.8 讲了医保", "", nil},
		{"a floor", "走访 1 房子 2 楼漏水 已联系维修", "", nil},
		{"a village group", "走访 2 住 3 组 老人身体好", "", nil},
		{"meals", "走访 1 老人 3 顿饭都吃不下", "", nil},
		{"people of the household", "走访 3 家里 2 口人 都在家", "", nil},
		{"a school grade", "走访 1 孩子读初 2 成绩好", "", nil},
		{"times told", "走访 1 讲了 2 遍医保政策", "", nil},
		{"buyers", "走访 1 帮忙联系了 2 家收购商", "", nil},
		{"rooms", "走访 1 老人说 3 间房都漏雨", "", nil},
		{"an age in 周岁", "走访 1 孙子 2 周岁了", "", nil},
		{"an hour", "走访 1 下午 3 点去的", "", nil},
		{"an ordinal", "走访 1 老人说 第 2 回来", "", nil},
		{"money in 块钱", "走访 1 他说 2 块钱一斤", "", nil},
		{"months", "走访 1 儿子出去打工 3 个月了", "", nil},
		{"a building's unit", "走访 1 住 2 楼 3 单元", "", nil},
		{"pills", "走访 1 老人吃了 2 片药", "", nil},
		{"generations", "走访 1 一家 3 代人住一起", "", nil},
		{"hundreds", "走访 1 给了 2 百块", "", nil},
		{"提醒 still starts a part", "电话 1 讲了医保 2 提醒交养老保险", "电话 ", []string{"1:1 讲了医保", "2:2 提醒交养老保险"}},
		{"家里 starts a part", "讲政策 1 讲了医保 2 家里没人", "讲政策 ", []string{"1:1 讲了医保", "2:2 家里没人"}},
		{"a weekday starts a part", "走访 1 周一去的 3 周三去的", "走访 ", []string{"1:1 周一去的", "3:3 周三去的"}},
		{"二老 at home", "走访 1 家里 2 老都在", "", nil},
		{"二老 in good health", "走访 3 家里 2 老身体都好", "", nil},
		{"both legs", "走访 1 老人 2 腿疼", "", nil},
		{"both eyes", "走访 2 奶奶 2 只眼看不清", "", nil},
		{"老人 starts a part", "走访 1 家里 2 老都在 2 老人不在家", "走访 ", []string{"1:1 家里 2 老都在", "2:2 老人不在家"}},
		{"老人 not at home is household 2's part", "走访 1 家里人都在 2 老人不在家", "走访 ", []string{"1:1 家里人都在", "2:2 老人不在家"}},
		{"手续 starts a part", "办实事 1 办了低保 2 手续办好了", "办实事 ", []string{"1:1 办了低保", "2:2 手续办好了"}},
		{"腿脚 starts a part", "走访 1 身体好 3 腿脚不便", "走访 ", []string{"1:1 身体好", "3:3 腿脚不便"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			prefix, parts, ok := handlers.SplitEach(c.in, 3)
			var got []string
			for _, p := range parts {
				n, text := handlers.EachPart(p)
				got = append(got, fmt.Sprintf("%d:%s", n, text))
			}
			if ok != (c.parts != nil) || prefix != c.prefix || strings.Join(got, "|") != strings.Join(c.parts, "|") {
				t.Fatalf("%q → %q %q %v, want %q %q", c.in, prefix, got, ok, c.prefix, c.parts)
			}
		})
	}
}

// TestReportEachHousehold: a report by list numbers is one report per household with its own words,
// goods and money, in one reply; 撤销 takes back all of them; the same message again records none
// twice; a beginning that says more than the keyword and date is one report, as before.
func TestReportEachHousehold(t *testing.T) {
	h := newHarness(t)
	got := h.send(CadreZhang, "讲政策 1 讲了医保 2 讲了低保")
	wantContains(t, got, "已记录 ✔（2户，各记各的）", "讲政策｜王春发｜今天\n内容：讲了医保", "讲政策｜王秋菊｜今天\n内容：讲了低保", "这几户一起撤回")
	cs := h.checkIns(CadreZhang)
	if len(cs) != 2 || cs[0].Text != "讲了医保" || cs[1].Text != "讲了低保" || cs[0].HouseholdID != h.household(HHWang) || cs[1].HouseholdID != h.household(HHWangQiu) {
		t.Fatalf("check-ins %+v", cs)
	}
	wantContains(t, h.send(CadreZhang, "撤销"), "王春发", "王秋菊")
	for _, c := range h.checkIns(CadreZhang) {
		if c.UndoneAt == nil {
			t.Fatalf("not undone: %+v", c)
		}
	}

	msg := "昨天 送温暖 1 米20斤 3 油2桶 现金200元"
	wantContains(t, h.send(CadreZhang, msg), "已记录 ✔（2户，各记各的）", "送温暖｜王春发｜昨天\n物品：米×20斤", "送温暖｜李秀英｜昨天\n物品：油×2桶\n金额：200元")
	wantContains(t, h.send(CadreZhang, msg), "这几户没有再记", "王春发 昨天的送温暖", "李秀英 昨天的送温暖")
	live := 0
	for _, c := range h.checkIns(CadreZhang) {
		if c.UndoneAt == nil {
			live++
			if c.HouseholdID == h.household(HHWang) && (c.Items != "米×20斤" || c.ValueFen != 0) {
				t.Fatalf("王春发's report %+v took another household's goods or money", c)
			}
		}
	}
	if live != 2 {
		t.Fatalf("%d live check-ins, want 2", live)
	}

	got = h.send(CadreZhang, "讲政策 讲了医保 1 讲清楚了 2 没听懂")
	wantNot(t, got, "各记各的")
}

// FuzzSplitEach: for any message, parts come only as two or more, with different numbers of the
// list, each a piece of the message after the prefix, in order, starting with its number.
func FuzzSplitEach(f *testing.F) {
	for _, s := range []string{"讲政策 1 讲了医保 2 讲了低保", "送温暖 1 米20斤 2户 油2桶 现金200元", "走访 1、2 送米", "电话 1 2 3", "昨天 讲政策 3、讲了养老；1、讲了医保",
		"走访 1 家里 2 老都在", "走访 1 老人 2 腿疼", "走访 1 家里人都在 2 老人不在家"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, in string, n int) {
		if n < 0 || n > 200 {
			return
		}
		prefix, parts, ok := handlers.SplitEach(in, n)
		if !ok {
			if prefix != "" || parts != nil {
				t.Fatalf("SplitEach(%q) not ok but gave %q %v", in, prefix, parts)
			}
			return
		}
		if len(parts) < 2 || !strings.HasPrefix(in, prefix) {
			t.Fatalf("SplitEach(%q) = %q with %d parts", in, prefix, len(parts))
		}
		seen, rest := map[int]bool{}, in[len(prefix):]
		for _, p := range parts {
			num, text := handlers.EachPart(p)
			at := strings.Index(rest, text)
			if num < 1 || num > n || seen[num] || text == "" || text[0] < '0' || text[0] > '9' || at < 0 {
				t.Fatalf("SplitEach(%q, %d): part %d %q", in, n, num, text)
			}
			seen[num], rest = true, rest[at+len(text):]
		}
	})
}

// TestReportCountsAreNoList: a cadre's visit to household 1 whose words hold counts after a space
// ("2 楼漏水", "2 家收购商", "3 口人") is household 1's one report with all its words; it was cut
// into reports for households 2 and 3 with pieces of the sentence.
func TestReportCountsAreNoList(t *testing.T) {
	h := newHarness(t)
	for _, msg := range []string{"走访 1 房子 2 楼漏水 已联系维修", "走访 1 帮忙联系了 2 家收购商", "走访 1 孩子读初 2 成绩好", "走访 1 儿子出去打工 3 个月了",
		"走访 1 家里 2 老都在", "走访 1 老人 2 腿疼"} {
		got := h.send(CadreZhang, msg)
		wantNot(t, got, "各记各的", "王秋菊")
		wantContains(t, got, "走访｜王春发")
	}
	cs := h.checkIns(CadreZhang)
	if len(cs) != 6 {
		t.Fatalf("check-ins %+v, want 6", cs)
	}
	for i, want := range []string{"房子 2 楼漏水 已联系维修", "帮忙联系了 2 家收购商", "孩子读初 2 成绩好", "儿子出去打工 3 个月了",
		"家里 2 老都在", "老人 2 腿疼"} {
		if cs[i].HouseholdID != h.household(HHWang) || cs[i].Text != want {
			t.Fatalf("check-in %d %+v, want 王春发's with %q", i, cs[i], want)
		}
	}
}
