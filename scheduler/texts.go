package scheduler

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Every message the jobs send is written here, so wording is reviewed in one place.

// digestCap is how many lines a digest lists before "等N户".
const digestCap = 20

func md(t time.Time) string { return fmt.Sprintf("%d月%d日", t.Month(), t.Day()) }

// list numbers lines and cuts the list at digestCap.
func list(lines []string) string {
	var b strings.Builder
	for i, l := range lines {
		if i == digestCap {
			fmt.Fprintf(&b, "……等共%d户\n", len(lines))
			break
		}
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// textWindowSection is one window's part of a cadre's reminder digest. It says how many days are left
// whenever the stage is sent after the day it fell due (a run missed during downtime).
func textWindowSection(name, stage string, start, end, today time.Time, households []string) string {
	left := int(end.Sub(today).Hours()/24+0.5) + 1
	var head string
	switch {
	case stage == StageLast:
		head = fmt.Sprintf("【%s走访提醒】今天是%s走访最后一天，还有%d户未登记：", name, name, len(households))
	case stage == StageHalf:
		head = fmt.Sprintf("【%s走访提醒】%s走访已过半（%s—%s，还剩%d天），还有%d户未登记：", name, name, md(start), md(end), left, len(households))
	case today.Equal(start):
		head = fmt.Sprintf("【%s走访提醒】%s走访从今天开始（%s—%s），请走访或联系以下%d户：", name, name, md(start), md(end), len(households))
	default:
		head = fmt.Sprintf("【%s走访提醒】%s走访已于%s开始（到%s，还剩%d天），请走访或联系以下%d户：", name, name, md(start), md(end), left, len(households))
	}
	return head + "\n" + strings.TrimSuffix(list(households), "\n")
}

// textWindowDigest joins the sections of the windows due today into one message.
func textWindowDigest(sections []string) string {
	return strings.Join(sections, "\n\n") + "\n走访后回复「走访 户主姓名 内容」即可登记，发送「我的亲戚」查看全部。"
}

func textOverdueCadre(lines []string) string {
	return fmt.Sprintf("【联系提醒】有%d户亲戚已到期未联系：\n%s联系后回复「电话 户主姓名 内容」或「走访 户主姓名 内容」登记；已联系但忘了登记，可补报「昨天」或日期。",
		len(lines), list(lines))
}

func textOverdueCoordinator(lines []string) string {
	return fmt.Sprintf("【逾期督办】本单位有%d户结对逾期未联系：\n%s请督促相关干部联系；发送「逾期」查看全部。", len(lines), list(lines))
}

func textOverdueHead(lines []string, days int) string {
	return fmt.Sprintf("【逾期督办·单位负责人】本单位有%d户结对逾期超过%d天：\n%s请过问落实；发送「逾期」查看全部。", len(lines), days, list(lines))
}

func textSpellsEnded(lines []string) string {
	return fmt.Sprintf("【逾期已解除】此前督办的%d户已恢复联系或结对已调整，不用再催了：\n%s", len(lines), strings.TrimSuffix(list(lines), "\n"))
}

// lineSpellEnded says why a spell is over: the cadre got in touch, or the pairing ended (relay, import).
func lineSpellEnded(cadre, household string, active bool) string {
	if active {
		return fmt.Sprintf("%s → %s：已联系", cadre, household)
	}
	return fmt.Sprintf("%s → %s：结对已结束（接力或调整）", cadre, household)
}

func lineCadre(household, summary string) string { return household + "（" + summary + "）" }

func lineCoordinator(cadre, household, summary string, onLeave bool) string {
	if onLeave {
		return fmt.Sprintf("%s（请假中）→ %s：%s，请安排他人联系", cadre, household, summary)
	}
	return fmt.Sprintf("%s → %s：%s", cadre, household, summary)
}

func textRequestLate(stage string, id int64, category string, due time.Time, toCoordinator bool) string {
	what := "受理"
	if stage == "resolve" {
		what = "办结"
	}
	who := "请尽快处理"
	if toCoordinator {
		who = "已超期一天以上，请督办"
	}
	return fmt.Sprintf("【诉求超期】%s诉求（编号%d）应于%s前%s，%s。回复「诉求 %d」查看详情。",
		category, id, due.Format("1月2日15:04"), what, who, id)
}

func textSpotAsk(month time.Time, cadre string) string {
	return fmt.Sprintf("您好！这里是走亲戚回访。%d月份，您的帮扶干部%s是否联系或走访过您？回复 1 是 / 2 否", month.Month(), cadre)
}

func textSpotRemind(month time.Time, cadre string) string {
	return fmt.Sprintf("再打扰一下：%d月份，帮扶干部%s是否联系或走访过您？回复 1 是 / 2 否，谢谢！", month.Month(), cadre)
}
