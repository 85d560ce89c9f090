package sheet

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/store"
)

// visitRec is one row of a 走访台账 / 民情日志: a check-in made before qinqi, typed up from paper.
type visitRec struct {
	row             rowReader
	day             time.Time
	cadreRef, hhRef string
	kind            domain.CheckInKind
	mode            domain.ContactMode
	text, items     string
	fen             int64
	cadre, hh       string        // codes, once resolved
	c               store.CheckIn // resolved
}

// visitImport loads the county's existing diary, so the overdue policy and 我的亲戚 start from it.
type visitImport struct {
	now  time.Time
	recs []visitRec
}

func (*visitImport) columns() []column {
	return []column{
		{key: "date", names: []string{"日期", "走访日期", "联系日期", "时间"}, required: true},
		{key: "cadre", names: []string{"干部", "干部姓名", "帮扶干部", "帮扶责任人", "干部编号", "人员编号"}, required: true},
		{key: "household", names: []string{"户", "户主", "户主姓名", "帮扶户", "户编号", "户号"}, required: true},
		{key: "kind", names: []string{"类型", "走访类型", "方式", "活动类型"}, required: true},
		{key: "text", names: []string{"内容", "走访内容", "情况", "事项", "工作内容"}},
		{key: "amount", names: []string{"金额", "金额(元)", "折合金额", "慰问金额"}},
		{key: "items", names: []string{"物品", "慰问物品", "送物品"}},
	}
}

// visitKinds are the words a ledger writes in 类型, for the five check-in kinds.
var visitKinds = map[string]struct {
	kind domain.CheckInKind
	mode domain.ContactMode
}{
	"联系": {domain.KindContact, ""}, "电话": {domain.KindContact, domain.ModePhone}, "电话联系": {domain.KindContact, domain.ModePhone},
	"微信": {domain.KindContact, domain.ModeWeChat}, "微信联系": {domain.KindContact, domain.ModeWeChat},
	"走访": {domain.KindVisit, domain.ModeInPerson}, "入户": {domain.KindVisit, domain.ModeInPerson}, "入户走访": {domain.KindVisit, domain.ModeInPerson},
	"上门走访": {domain.KindVisit, domain.ModeInPerson}, "讲政策": {domain.KindPolicy, domain.ModeInPerson},
	"政策宣传": {domain.KindPolicy, domain.ModeInPerson}, "宣讲政策": {domain.KindPolicy, domain.ModeInPerson},
	"送温暖": {domain.KindWarmth, domain.ModeInPerson}, "慰问": {domain.KindWarmth, domain.ModeInPerson},
	"办实事": {domain.KindDeed, domain.ModeInPerson},
}

func (im *visitImport) parse(l layout, rows []Row, errs *RowErrors) {
	n := im.now.In(clock.Shanghai)
	today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC) // as parseDate gives dates
	for _, row := range rows {
		r := rowReader{l: l, row: row, errs: errs}
		before := len(*errs)
		rec := visitRec{row: r, cadreRef: r.need("cadre"), hhRef: r.need("household"), text: r.get("text"), items: r.get("items")}
		if v := r.need("date"); v != "" {
			d, err := parseDate(v)
			switch {
			case err != nil:
				r.fail("date", "%v", err)
			case d.After(today):
				r.fail("date", "is after today (%s): a visit to import has happened", today.Format(time.DateOnly))
			}
			rec.day = d
		}
		if v := r.need("kind"); v != "" {
			k, ok := visitKinds[strings.TrimSpace(v)]
			if !ok {
				r.fail("kind", "is not one of the five kinds: 联系 (电话, 微信), 走访 (入户), 讲政策, 送温暖 (慰问), 办实事")
			}
			rec.kind, rec.mode = k.kind, k.mode
		}
		fen, err := parseYuan(r.get("amount"))
		if err != nil {
			r.fail("amount", "%v", err)
		}
		rec.fen = fen
		r.checkLen("text", 2000)
		r.checkLen("items", 500)
		if len(*errs) == before {
			im.recs = append(im.recs, rec)
		}
	}
}

// maxYuan bounds one entry's 金额, so a misplaced phone number is not taken for money.
const maxYuan = 1_000_000

// parseYuan reads 金额 in yuan ("500", "500元", "¥1,200.50"); empty is 0.
func parseYuan(s string) (int64, error) {
	s = strings.NewReplacer("元", "", "¥", "", "￥", "", ",", "", "，", "", " ", "").Replace(s)
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("is not an amount of yuan like 500 or 35.5")
	}
	if f < 0 || f > maxYuan {
		return 0, fmt.Errorf("must be between 0 and %d yuan", maxYuan)
	}
	return int64(math.Round(f * 100)), nil
}

// visitKey identifies a ledger entry by what it says, so the same entry imported again is found.
func visitKey(rec visitRec) string {
	sum := sha1.Sum([]byte(strings.Join([]string{rec.day.Format(time.DateOnly), fold(rec.cadre), fold(rec.hh),
		string(rec.kind), rec.text, rec.items, strconv.FormatInt(rec.fen, 10)}, "\x1f")))
	return store.ImportKeyPrefix + hex.EncodeToString(sum[:])
}
