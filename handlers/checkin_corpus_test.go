package handlers_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/longbridgeapp/opencc"

	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// The corpus test reads reports as a county's cadres type them: generated from a pool of realistic
// names (shared surnames, look-alike names such as 王春发/王春霞, the same name twice in one list,
// names with characters that are also numbers, units or goods: 王六斤, 李三元, 张米油, 刘提醒 …) in
// every phrasing family the parser knows, each in simplified and traditional script. Every field of
// every message is checked; the test fails if any field is right in fewer than 99.5 % of the messages,
// and prints every failing message by name either way.

// corpusSurnames are by frequency; the first ones are shared by many households in one village.
var corpusSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
	"胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖",
	"田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢",
	"欧阳", "司马", "伍", "米", "包"}

// corpusGiven are given-name characters of rural households; the second line are characters that are
// also numbers, units, money or goods, which a name must never be read as.
var corpusGiven = []rune("春发建国秀英桂兰德福金花长顺水根玉梅红海燕志强丽华文斌伟明凤家旺生勇来庆云永平淑珍翠宝山荣亮晓东秋菊雪冬保军民爱玲美霞中立新振兴丰收桃木林树森" +
	"一二三六斤元米油提醒包")

// corpusNames draws n distinct names: a surname and one or two given characters.
func corpusNames(r *rand.Rand, n int) []string {
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		f := r.Float64()
		name := corpusSurnames[int(f*f*float64(len(corpusSurnames)))]
		for range 1 + r.IntN(2) {
			name += string(corpusGiven[r.IntN(len(corpusGiven))])
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

type corpusWant struct {
	kind       domain.CheckInKind
	mode       domain.ContactMode
	picks      []int // indices into the cadre's list
	badNumber  int
	day        string // "" = today, no date given
	items      string
	fen        int64
	salesItems string
	salesFen   int64
	text       string
	err        error
	listed     bool // several households by list number: a report for each, no question
}

type corpusCase struct {
	name string
	in   string
	hhs  []handlers.HouseholdRef
	want corpusWant
}

// corpusCadre is one cadre's list: 3 to 8 households; some lists hold a look-alike name (same
// surname and first given character) or the same name twice.
type corpusCadre struct {
	hhs []handlers.HouseholdRef
}

func newCorpusCadre(r *rand.Rand, pool []string, next *int) corpusCadre {
	n := 3 + r.IntN(6)
	var c corpusCadre
	for i := 0; i < n; i++ {
		name := pool[*next%len(pool)]
		*next++
		c.hhs = append(c.hhs, handlers.HouseholdRef{Name: name, Code: fmt.Sprintf("H%05d", *next), Initials: store.NameInitials(name)})
	}
	switch r.IntN(6) {
	case 0: // the same name twice (two 周勇 in one village)
		c.hhs[n-1].Name = c.hhs[0].Name
		c.hhs[n-1].Initials = c.hhs[0].Initials
	case 1: // a look-alike: same surname and first given character (王春发 / 王春霞)
		rs := []rune(c.hhs[0].Name)
		if len(rs) == 3 {
			alt := string(rs[:2]) + string(corpusGiven[r.IntN(len(corpusGiven))])
			if alt != c.hhs[0].Name {
				c.hhs[n-1].Name = alt
				c.hhs[n-1].Initials = store.NameInitials(alt)
			}
		}
	}
	return c
}

// picksFor lists every household called name (two when the name is shared).
func (c corpusCadre) picksFor(name string) []int {
	var out []int
	for i, h := range c.hhs {
		if h.Name == name {
			out = append(out, i)
		}
	}
	return out
}

// corpusSurname is the surname of a corpus name: 欧阳 and 司马 are its surnames of two characters.
func corpusSurname(name string) string {
	for _, c := range []string{"欧阳", "司马"} {
		if strings.HasPrefix(name, c) {
			return c
		}
	}
	return string([]rune(name)[:1])
}

// picksOfSurname lists every household of surname sn.
func (c corpusCadre) picksOfSurname(sn string) []int {
	var out []int
	for i, h := range c.hhs {
		if corpusSurname(h.Name) == sn {
			out = append(out, i)
		}
	}
	return out
}

// picksOfGiven lists every household whose given name is given.
func (c corpusCadre) picksOfGiven(given string) []int {
	var out []int
	for i, h := range c.hhs {
		if strings.TrimPrefix(h.Name, corpusSurname(h.Name)) == given {
			out = append(out, i)
		}
	}
	return out
}

var corpusDiary = []string{"问了春耕准备", "看了房子漏不漏雨", "老人身体不错", "帮忙交了低保材料", "房子漏雨(严重)",
	"孩子上学的事解决了", "聊了聊家常", "看了看猪圈", "查看危房改造进度", "讲了防电信诈骗"}

type corpusGoods struct{ in, want string }

var corpusAidGoods = []corpusGoods{{"化肥3包", "化肥×3包"}, {"米20斤", "米×20斤"}, {"食用油2桶", "食用油×2桶"},
	{"棉被两床", "棉被×2床"}, {"猪仔4头", "猪仔×4头"}, {"鸡苗30只", "鸡苗×30只"}, {"牛奶2箱", "牛奶×2箱"},
	{"棉衣1件", "棉衣×1件"}, {"种子2袋", "种子×2袋"}, {"挂面1提", "挂面×1提"}, {"3袋大米", "大米×3袋"}}

type corpusMoney struct {
	in  string
	fen int64
	err error
}

var corpusAmounts = []corpusMoney{{"现金500元", 50000, nil}, {"现金1,000元", 100000, nil}, {"现金3千元", 300000, nil},
	{"现金伍佰元", 50000, nil}, {"¥800", 80000, nil}, {"慰问金五百元", 50000, nil}, {"现金1.2万元", 1200000, nil},
	{"现金200块", 20000, nil}, {"现金-500元", 0, handlers.ErrNegativeMoney}, {"现金负300元", 0, handlers.ErrNegativeMoney},
	{"现金1e3元", 0, handlers.ErrBadMoney}, {"现金1e20元", 0, handlers.ErrBadMoney}, {"现金99999999999元", 0, handlers.ErrMoneyTooLarge}}

// corpusFamilies build one message each for a cadre and a household index of that cadre.
var corpusFamilies = []struct {
	name  string
	build func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant)
}{
	{"keyword name goods", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		g, d := pick(r, corpusAidGoods), pick(r, corpusDiary)
		return fmt.Sprintf("走访 %s 送%s %s", c.hhs[i].Name, g.in, d),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), items: g.want, text: d}
	}},
	{"keyword number", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("电话 %d %s", i+1, d), corpusWant{kind: domain.KindContact, mode: domain.ModePhone, picks: []int{i}, text: d}
	}},
	{"number then reminder", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("电话 %d提醒交医保", i+1), corpusWant{kind: domain.KindContact, mode: domain.ModePhone, picks: []int{i}, text: "提醒交医保"}
	}},
	{"number beyond the list", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("走访 %d 看房子", len(c.hhs)+1+r.IntN(5)), corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, badNumber: -1, text: "看房子"}
	}},
	{"code", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("走访 %s %s", strings.ToLower(c.hhs[i].Code), d), corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, text: d}
	}},
	{"initials", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		ini, _, _ := strings.Cut(c.hhs[i].Initials, ",")
		var picks []int
		for j, h := range c.hhs {
			if store.InitialsMatch(h.Initials, ini) {
				picks = append(picks, j)
			}
		}
		return fmt.Sprintf("走访 %s %s", ini, d), corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: picks, text: d}
	}},
	{"name only, money, phone call", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("电话 %s", c.hhs[i].Name), corpusWant{kind: domain.KindContact, mode: domain.ModePhone, picks: c.picksFor(c.hhs[i].Name)}
	}},
	{"yesterday call in a sentence", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("昨天给%s打了个电话，%s", c.hhs[i].Name, d),
			corpusWant{kind: domain.KindContact, mode: domain.ModePhone, picks: c.picksFor(c.hhs[i].Name), day: "2026-11-22", text: d}
	}},
	{"full date first", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		day := clock.Day(parseNow).AddDate(0, 0, -1-r.IntN(60))
		g, d := pick(r, corpusAidGoods), pick(r, corpusDiary)
		return fmt.Sprintf("%d年%d月%d日走访了%s，送%s，%s", day.Year(), day.Month(), day.Day(), c.hhs[i].Name, g.in, d),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), day: day.Format("2006-01-02"), items: g.want, text: d}
	}},
	{"went to the home", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("前天去%s家走访，%s", c.hhs[i].Name, d),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), day: "2026-11-21", text: d}
	}},
	{"home visited today", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("%s家今天去过了，%s", c.hhs[i].Name, d),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), day: "2026-11-23", text: d}
	}},
	{"plan for next monday", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		plan := pick(r, []string{"约好下周一去镇上办医保", "明天去送米20斤", "下周再来", "下周五再去看看", "约好12月1日送被子2床"})
		return fmt.Sprintf("走访 %s 看了房子，%s", c.hhs[i].Name, plan),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), text: "看了房子，" + plan}
	}},
	{"money forms", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		m := pick(r, corpusAmounts)
		return fmt.Sprintf("送温暖 %s %s", c.hhs[i].Name, m.in),
			corpusWant{kind: domain.KindWarmth, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), fen: m.fen, err: m.err}
	}},
	{"money given by number", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		m := pick(r, corpusAmounts)
		return fmt.Sprintf("走访 %d 给了%s", i+1, m.in),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, fen: m.fen, err: m.err}
	}},
	{"policy amounts are not aid", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("讲政策 %s 讲了医保，每人缴费400元", c.hhs[i].Name),
			corpusWant{kind: domain.KindPolicy, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), text: "讲了医保，每人缴费400元"}
	}},
	{"household income is not aid", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("走访 %d 今年家里收入3万元", i+1),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, text: "今年家里收入3万元"}
	}},
	{"sales help", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("走访 %s 帮着卖了苹果800斤，卖了1600元", c.hhs[i].Name),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), salesItems: "苹果×800斤", salesFen: 160000}
	}},
	{"aid and sales in one report", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		g := pick(r, corpusAidGoods)
		return fmt.Sprintf("走访 %d 送%s，帮卖核桃50斤", i+1, g.in),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, items: g.want, salesItems: "核桃×50斤"}
	}},
	{"warmth goods list", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("送温暖 %s 棉被2床 米20斤 油2桶", c.hhs[i].Name),
			corpusWant{kind: domain.KindWarmth, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), items: "棉被×2床;米×20斤;油×2桶"}
	}},
	{"date too old", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("走访 %d 1999-12-31", i+1), corpusWant{err: handlers.ErrDateTooOld}
	}},
	{"date in the future", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("走访 %s 2027年1月5日", c.hhs[i].Name), corpusWant{err: handlers.ErrFutureDate}
	}},
	{"impossible date", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("走访 %d 2月30日", i+1), corpusWant{err: handlers.ErrBadDate}
	}},
	{"no spaces at all", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		g := pick(r, corpusAidGoods[:9])
		return fmt.Sprintf("走访%s送%s", c.hhs[i].Name, g.in),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), items: g.want}
	}},
	{"number first", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("%d 走访 %s", i+1, d), corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, text: d}
	}},
	{"number and another household in the text", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		j := (i + 1) % len(c.hhs)
		if c.hhs[j].Name == c.hhs[i].Name {
			j = (i + 2) % len(c.hhs)
		}
		return fmt.Sprintf("走访 %d 碰到%s送米20斤", i+1, c.hhs[j].Name),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, items: "米×20斤", text: "碰到" + c.hhs[j].Name}
	}},
	{"wechat video", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("微信 %s 视频聊了半小时", c.hhs[i].Name),
			corpusWant{kind: domain.KindContact, mode: domain.ModeWeChat, picks: c.picksFor(c.hhs[i].Name), text: "视频聊了半小时"}
	}},
	{"festival warmth", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("慰问 %s 中秋送月饼2盒", c.hhs[i].Name),
			corpusWant{kind: domain.KindWarmth, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), items: "月饼×2盒", text: "中秋"}
	}},
	{"quantity first goods", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("送温暖 %d 送了3袋米和2桶油", i+1),
			corpusWant{kind: domain.KindWarmth, mode: domain.ModeInPerson, picks: []int{i}, items: "米×3袋;油×2桶"}
	}},
	{"financial numerals after a name", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("送温暖 %s 伍佰元 肥皂3块", c.hhs[i].Name),
			corpusWant{kind: domain.KindWarmth, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), fen: 50000, items: "肥皂×3块"}
	}},
	{"policy leaflets are not aid", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("讲政策 %d 发了宣传册2本", i+1),
			corpusWant{kind: domain.KindPolicy, mode: domain.ModeInPerson, picks: []int{i}, text: "发了宣传册2本"}
	}},
	{"month day and days ago", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		phr, day := pick(r, []struct{ p, d string }{{"11月20日", "2026-11-20"}, {"3天前", "2026-11-20"}, {"上上周一", "2026-11-09"},
			{"十一月二十日", "2026-11-20"}, {"11-20", "2026-11-20"}, {"周三", "2026-11-18"}}).p, ""
		switch phr {
		case "上上周一":
			day = "2026-11-09"
		case "周三":
			day = "2026-11-18"
		default:
			day = "2026-11-20"
		}
		return fmt.Sprintf("入户 %s %s 核查收入", c.hhs[i].Name, phr),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), day: day, text: "核查收入"}
	}},
	{"deed paid on their behalf", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		return fmt.Sprintf("办实事 %s 代缴电费86.5元", c.hhs[i].Name),
			corpusWant{kind: domain.KindDeed, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), fen: 8650, text: "代缴电费"}
	}},
	{"counts of kin and body in the words", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, []string{"家里 2 老都在", "老人 2 腿疼", "家里 3 口人 都在家", "家里 2 老身体都好"})
		return fmt.Sprintf("走访 %d %s", i+1, d), corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, text: d}
	}},
	{"a surname's home", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		sn, d := corpusSurname(c.hhs[i].Name), pick(r, corpusDiary)
		w := corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksOfSurname(sn), text: d}
		day := pick(r, []string{"", "今天"})
		if day != "" {
			w.day = "2026-11-23"
		}
		return fmt.Sprintf("%s去了%s%s家 %s", day, pick(r, []string{"", "老"}), sn, d), w
	}},
	{"given name, kinship and home", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		kin, d := pick(r, []string{"大哥", "大姐", "叔", "婶", "哥", "姐", "大爷"}), pick(r, corpusDiary)
		name := c.hhs[i].Name
		given := []rune(name)[len([]rune(corpusSurname(name))):]
		picks := c.picksFor(name)
		if len(given) == 2 { // a one-character given name is never read alone: the full name is typed
			name, picks = string(given), c.picksOfGiven(string(given))
		}
		return fmt.Sprintf("去%s%s家了，%s", name, kin, d), corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: picks, text: d}
	}},
	{"a deed said with 帮 or 给", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		form := pick(r, []struct{ in, text string }{{"帮%s把医保续上了", "把医保续上了"}, {"给%s办了低保续期", "办了低保续期"},
			{"替%s把电费交了", "把电费交了"}, {"给%s把房顶修了", "把房顶修了"}})
		return fmt.Sprintf(form.in, c.hhs[i].Name), corpusWant{kind: domain.KindDeed, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), text: form.text}
	}},
	{"dialect fillers", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		if r.IntN(2) == 0 {
			return fmt.Sprintf("俺昨儿个去%s家了，%s", c.hhs[i].Name, d),
				corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), day: "2026-11-22", text: d}
		}
		return fmt.Sprintf("咱下午去%s家坐了坐哈", c.hhs[i].Name),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), text: "坐了坐"}
	}},
	{"gave households by number", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		g := pick(r, corpusAidGoods[:9])
		if len(c.hhs) == 1 {
			return fmt.Sprintf("给%d户送了%s", i+1, g.in), corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{i}, items: g.want}
		}
		j := (i + 1 + r.IntN(len(c.hhs)-1)) % len(c.hhs)
		return fmt.Sprintf("给%d、%d户都送了%s", i+1, j+1, g.in),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: []int{min(i, j), max(i, j)}, items: g.want, listed: true}
	}},
	{"looked at the household", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("看了%s %s", c.hhs[i].Name, d),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), text: d}
	}},
	{"last friday", func(r *rand.Rand, c corpusCadre, i int) (string, corpusWant) {
		d := pick(r, corpusDiary)
		return fmt.Sprintf("走访 %s 上周五 %s", c.hhs[i].Name, d),
			corpusWant{kind: domain.KindVisit, mode: domain.ModeInPerson, picks: c.picksFor(c.hhs[i].Name), day: "2026-11-20", text: d}
	}},
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// buildCorpus makes perFamily messages of every family, each also in traditional script.
func buildCorpus(t testing.TB, perFamily int) ([]corpusCase, int) {
	r := rand.New(rand.NewPCG(12, 2026))
	pool := corpusNames(r, 2400)
	s2t, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusCase
	next := 0
	for _, fam := range corpusFamilies {
		for k := 0; k < perFamily; k++ {
			c := newCorpusCadre(r, pool, &next)
			i := r.IntN(len(c.hhs))
			in, want := fam.build(r, c, i)
			if want.badNumber < 0 {
				want.badNumber = atoiPrefix(strings.Fields(in)[1])
			}
			out = append(out, corpusCase{name: fmt.Sprintf("%s/%d", fam.name, k), in: in, hhs: c.hhs, want: want})
			trad, err := s2t.Convert(in)
			if err != nil {
				t.Fatal(err)
			}
			tradHHs := make([]handlers.HouseholdRef, len(c.hhs))
			copy(tradHHs, c.hhs) // the register is simplified; the cadre types traditional
			out = append(out, corpusCase{name: fmt.Sprintf("%s/%d/繁體", fam.name, k), in: trad, hhs: tradHHs, want: want})
		}
	}
	return out, next
}

func atoiPrefix(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func TestCheckInCorpus(t *testing.T) {
	fold := folder(t)
	cases, names := buildCorpus(t, 17)
	if len(cases) < 600 || names < 2000 {
		t.Fatalf("corpus has %d messages from %d names, want at least 600 from 2,000", len(cases), names)
	}
	fields := []string{"error", "kind", "mode", "household", "day", "goods", "money", "sales goods", "sales money", "text"}
	right := map[string]int{}
	total := map[string]int{}
	var failed []string
	for _, tc := range cases {
		got, err := handlers.ParseReport(fold, tc.in, parseNow, tc.hhs)
		bad := compareCorpus(tc, got, err)
		for _, f := range fields {
			if tc.want.err != nil && f != "error" {
				continue
			}
			total[f]++
			if bad[f] == "" {
				right[f]++
			}
		}
		for _, f := range fields {
			if bad[f] != "" {
				failed = append(failed, fmt.Sprintf("%s: %q: %s %s", tc.name, tc.in, f, bad[f]))
			}
		}
	}
	sort.Strings(failed)
	for _, f := range failed {
		t.Log(f)
	}
	for _, f := range fields {
		acc := float64(right[f]) / float64(total[f])
		t.Logf("%-12s %4d/%4d = %.2f %%", f, right[f], total[f], 100*acc)
		if acc < 0.995 {
			t.Errorf("field %s right in %.2f %% of %d messages, want at least 99.5 %%", f, 100*acc, total[f])
		}
	}
	t.Logf("%d messages from %d names, %d field errors", len(cases), names, len(failed))
}

// compareCorpus returns, by field, what went wrong ("" for right).
func compareCorpus(tc corpusCase, got handlers.CheckInDraft, err error) map[string]string {
	bad := map[string]string{}
	w := tc.want
	if w.err != nil || err != nil {
		if !errors.Is(err, w.err) {
			bad["error"] = fmt.Sprintf("= %v, want %v", err, w.err)
		}
		return bad
	}
	check := func(field string, got, want any) {
		if fmt.Sprint(got) != fmt.Sprint(want) {
			bad[field] = fmt.Sprintf("= %v, want %v", got, want)
		}
	}
	check("kind", got.Kind, w.kind)
	check("mode", got.Mode, w.mode)
	check("household", fmt.Sprint(got.Picks, got.BadNumber), fmt.Sprint(w.picks, w.badNumber))
	day := ""
	if got.DayGiven {
		day = got.Day.Format("2006-01-02")
	}
	check("day", day, w.day)
	check("goods", handlers.ItemsString(got.Goods), w.items)
	check("money", got.ValueFen, w.fen)
	check("sales goods", handlers.ItemsString(got.SalesGoods), w.salesItems)
	check("sales money", got.SalesFen, w.salesFen)
	check("text", got.Text, w.text)
	return bad
}
