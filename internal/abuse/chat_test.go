package abuse_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"qinqi/bot/wechat/wxfake"
	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/report"
	"qinqi/store"
)

var sixDigits = regexp.MustCompile(`\d{6}`)

// Attack 1: the victim (cadre P001, no remark) changes his nickname, the attacker takes the old one,
// the bot logs in again. Re-mapping by nickname gave the attacker P001's households and his name on a
// visit with 500元. A nickname proves nothing now: the attacker is asked to bind and gets nothing.
func TestAttackIdentityTakeoverByNickname(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		r := start(t, st, friend("@coord1", "黄秀英", "P009"), friend("@victim1", "老陈", ""), friend("@attack1", "赵六", ""))
		r.say("@victim1", "绑定 "+r.bindCode("P001"), "绑定成功")
		r.say("@victim1", "我的亲戚", "您的结对户")
		r.srv.SetFriends(uin, []wxfake.Contact{
			friend("@coord2", "黄秀英", "P009"), friend("@victim2", "陈建国", ""), friend("@attack2", "老陈", ""),
		})
		r.srv.Kick(uin)
		r.online(2)
		got := r.say("@attack2", "我的亲戚", "绑定")
		r.srv.QueueText(uin, "@attack2", "走访 1 送现金500元")
		r.idle()
		got += strings.Join(r.sentTo("@attack2"), "\n")
		if strings.Contains(got, "结对户") || strings.Contains(got, "王春发") || strings.Contains(got, "已记录") {
			t.Fatalf("the attacker acted as P001: %q", got)
		}
	})
}

// Attack 2: a coordinator asked 绑定码 for an admin placed in their unit and for their unit head,
// bound the codes and saw the whole county. Chat now issues codes only for cadres and households; a
// bind that moves a person to a new WeChat tells the old one.
func TestAttackCoordinatorBecomesAdmin(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		r := start(t, st, friend("@coord", "黄秀英", "P009"), friend("@liu", "刘晓燕", "P002"), friend("@attack", "路人", ""))
		u, err := st.UnitByCode(r.ctx, "U01")
		must(t, err)
		must(t, st.UpsertPeople(r.ctx, []store.Person{{Code: "P011", Name: "赵磊", Roles: domain.MakeRoles(domain.RoleAdmin), UnitID: &u.ID}}, nil))
		for _, target := range []string{"P011", "P001"} { // the admin in U01, the head of U01
			got := r.say("@coord", "绑定码 "+target, target)
			if sixDigits.MatchString(got) || !strings.Contains(got, "qinqi bindcode") {
				t.Fatalf("绑定码 %s answered %q: want a refusal and no code", target, got)
			}
		}
		r.say("@liu", "我的亲戚", "您的结对户") // P002 is bound at @liu by the remark
		got := r.say("@coord", "绑定码 P002", "绑定码")
		code := sixDigits.FindString(got)
		if code == "" {
			t.Fatalf("no code for a cadre of the unit: %q", got)
		}
		r.say("@attack", "绑定 "+code, "绑定成功")
		if told := r.await("@liu", 1, "如果不是您本人"); !strings.Contains(told, "刘晓燕") {
			t.Fatalf("the replaced WeChat was told %q", told)
		}
	})
}

// Attack 3: a location with a 5,000-character label overflowed a column on MariaDB and, taken for an
// outage, held every later message of every user. Sizes are bounded at the door: the over-long text
// is refused with a reply, the label is cut, and the other cadre is answered.
func TestAttackPoisonMessage(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		r := start(t, st, friend("@chen", "陈建国", "P001"), friend("@liu", "刘晓燕", "P002"))
		label := strings.Repeat("幸福村村委会东侧", 625)
		r.say("@chen", "走访 王春发 送米20斤", "已记录")
		r.srv.QueueLocation(uin, "@chen", 30.2231, 119.9123, label)
		r.say("@liu", "我的亲戚", "您的结对户")
		r.say("@chen", "走访 王春发 "+strings.Repeat("房子漏雨", 1250), "太长")
		r.idle()
		if err := st.EachCheckIn(r.ctx, clock.Real{}.Now().AddDate(0, 0, -1), clock.Real{}.Now().AddDate(0, 0, 1), func(c store.CheckInRecord) error {
			if len(c.Place) > 255 || len(c.Text) > 4000 {
				t.Errorf("a stored check-in holds %d bytes of place, %d of text", len(c.Place), len(c.Text))
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})
}

// Attack 5 (chat and ledger): phone and ID numbers typed into a request were forwarded verbatim to
// the cadre and written into the ledger. They are masked there; the database keeps them.
func TestAttackPhoneAndIDForwarded(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		r := start(t, st, friend("@chen", "陈建国", "P001"), friend("@wang", "王春发", "P101"))
		raw := []string{"13912345678", "330122195808173012", "88881234"}
		r.say("@wang", "诉求 就医 请回电13912345678 身份证330122195808173012 村委会0571-88881234", "已收到")
		note := r.await("@chen", 0, "新诉求")
		r.say("@chen", "走访 王春发 留了他儿子电话13912345678", "已记录")
		for _, s := range raw {
			if strings.Contains(strings.Join(r.sentTo("@chen"), "\n"), s) {
				t.Errorf("the cadre was sent %s in full: %q", s, note)
			}
		}
		hh, err := st.HouseholdByCode(r.ctx, "H001")
		must(t, err)
		reqs, err := st.RequestsOfHousehold(r.ctx, hh.ID)
		must(t, err)
		if len(reqs) == 0 || !strings.Contains(reqs[len(reqs)-1].Text, raw[0]) {
			t.Fatalf("the database must keep the request as typed: %+v", reqs)
		}
		var buf bytes.Buffer
		now := clock.Real{}.Now()
		must(t, report.WriteLedger(r.ctx, st, report.Scope{All: true, Name: "全县"}, report.MonthOf(now), now, &buf))
		x, err := excelize.OpenReader(&buf)
		must(t, err)
		defer x.Close()
		for _, sh := range x.GetSheetList() {
			rows, err := x.GetRows(sh)
			must(t, err)
			for _, row := range rows {
				for _, cell := range row {
					for _, s := range raw {
						if strings.Contains(cell, s) {
							t.Errorf("ledger sheet %s shows %s: %q", sh, s, cell)
						}
					}
				}
			}
		}
	})
}

// Attack 7 (chat): the smaller holes. A used code answered differently from a wrong one; a cadre
// could tell a 帮扶户 of another cadre from an unknown name; zero-width characters split names, a
// right-to-left override was kept and closing punctuation was cut from content.
func TestAttackSmallerChatHoles(t *testing.T) {
	each(t, func(t *testing.T, st *store.Store) {
		r := start(t, st, friend("@chen", "陈建国", "P001"), friend("@wang", "王春发", "P101"),
			friend("@g1", "甲", ""), friend("@g2", "乙", ""), friend("@g3", "丙", ""))
		t.Run("a used, an expired and a wrong code get one reply", func(t *testing.T) {
			used := r.bindCode("P102")
			r.say("@g1", "绑定 "+used, "绑定成功")
			a := r.say("@g2", "绑定 "+used, "绑定码")
			b := r.say("@g3", "绑定 000001", "绑定码")
			if a != b {
				t.Fatalf("used code: %q, wrong code: %q", a, b)
			}
		})
		t.Run("another cadre's household and an unknown name get one refusal", func(t *testing.T) {
			foreign := r.say("@chen", "走访 钱秀珍 送米20斤", "")
			unknown := r.say("@chen", "走访 钱秀英 送米20斤", "报的是哪一户")
			// the second report drops the first one's question and says so first; compared is its own answer
			note := "（上一条“走访 钱秀珍”还没选是哪一户，没有记录；需要的话请重发。）\n"
			if !strings.HasPrefix(unknown, note) {
				t.Fatalf("unknown name: %q, want the note on the dropped report first", unknown)
			}
			unknown = strings.TrimPrefix(unknown, note)
			if strings.ReplaceAll(foreign, "钱秀珍", "X") != strings.ReplaceAll(unknown, "钱秀英", "X") {
				t.Fatalf("foreign household: %q, unknown name: %q", foreign, unknown)
			}
		})
		t.Run("invisible characters never split a name or reach the database", func(t *testing.T) {
			got := r.say("@chen", "走访 王\u200b春发 送米20斤", "已记录")
			if !strings.Contains(got, "王春发") {
				t.Fatalf("zero-width space split the name: %q", got)
			}
			r.say("@wang", "诉求 住房 房子漏雨\u202e(严重)", "已收到")
			hh, err := st.HouseholdByCode(r.ctx, "H001")
			must(t, err)
			reqs, err := st.RequestsOfHousehold(r.ctx, hh.ID)
			must(t, err)
			last := reqs[len(reqs)-1].Text
			if strings.ContainsRune(last, '\u202e') || !strings.HasSuffix(last, "(严重)") {
				t.Fatalf("stored request %q: want no bidi control and its own closing bracket", last)
			}
		})
	})
}
