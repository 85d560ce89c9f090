package report

import (
	"fmt"
	"strings"

	"qinqi/internal/domain"
	"qinqi/store"
)

// ConfirmAsk is the answer line of a visit confirmation, in the household's words.
const ConfirmAsk = "是这样吗？回复 1 是　2 没有来　3 有出入"

// confirmShown caps the reports one question names; the rest are counted.
const confirmShown = 3

// kindPhrase is what a cadre's report means from the household's side.
var kindPhrase = map[domain.CheckInKind]string{
	domain.KindVisit:   "来家里看望了您",
	domain.KindWarmth:  "来家里慰问了您",
	domain.KindDeed:    "帮您办了实事",
	domain.KindPolicy:  "给您讲了政策",
	domain.KindContact: "和您联系过",
}

// GoodsWords turns the stored goods "化肥×3包;米×20斤" into "化肥3包、米20斤".
func GoodsWords(items string) string {
	var out []string
	for _, it := range strings.Split(items, ";") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, strings.Replace(it, "×", "", 1))
		}
	}
	return strings.Join(out, "、")
}

// GivenWords is what was handed over: goods and money, "化肥3包、500元", or "".
func GivenWords(items string, fen int64) string {
	parts := []string{}
	if g := GoodsWords(items); g != "" {
		parts = append(parts, g)
	}
	if fen > 0 {
		parts = append(parts, Yuan(fen))
	}
	return strings.Join(parts, "、")
}

func monthDay(c store.ConfirmCheckIn) string {
	return fmt.Sprintf("%d月%d日", c.OccurredAt.Month(), c.OccurredAt.Day())
}

// VisitPhrase is one report as the household hears it: "12月5日来家里看望了您，送了化肥3包、500元".
func VisitPhrase(c store.ConfirmCheckIn) string {
	p := monthDay(c) + kindPhrase[c.Kind]
	if g := GivenWords(c.Items, c.ValueFen); g != "" {
		p += "，送了" + g
	}
	return p
}

// VisitLine is one report as a coordinator reads it: "12月5日 走访（化肥3包、500元）".
func VisitLine(c store.ConfirmCheckIn) string {
	l := monthDay(c) + " " + c.Kind.Label()
	if g := GivenWords(c.Items, c.ValueFen); g != "" {
		l += "（" + g + "）"
	}
	return l
}

// ConfirmQuestion is the one question a household gets about the reports items (in time order):
// "李建文说12月5日来家里看望了您，送了化肥3包、500元。是这样吗？回复 1 是　2 没有来　3 有出入".
// Reports of several cadres are named cadre by cadre; beyond confirmShown they are counted.
func ConfirmQuestion(items []store.ConfirmCheckIn) string {
	var order []domain.PersonID
	by := map[domain.PersonID][]string{}
	names := map[domain.PersonID]string{}
	for i, c := range items {
		if i == confirmShown {
			break
		}
		if _, ok := by[c.CadreID]; !ok {
			order = append(order, c.CadreID)
			names[c.CadreID] = c.CadreName
		}
		by[c.CadreID] = append(by[c.CadreID], VisitPhrase(c))
	}
	var said []string
	for _, id := range order {
		said = append(said, names[id]+"说"+strings.Join(by[id], "；又"))
	}
	text := strings.Join(said, "；")
	if len(items) > confirmShown {
		text += fmt.Sprintf("（等，共%d次）", len(items))
	}
	return text + "。" + ConfirmAsk
}
