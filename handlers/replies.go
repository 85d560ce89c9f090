package handlers

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/pii"
	"qinqi/internal/report"
	"qinqi/store"
)

// Every text the bot says lives here: short, friendly Simplified Chinese, each ending with what to
// do next. Phones go through store.MaskPhone before they get here and ID numbers are never shown;
// free text that people typed (diary notes, requests, results, plans, promises) goes through pii.Mask
// here, at the one place it leaves for the chat.

const (
	replyUnbound    = "您好！请先绑定：发送“绑定 六位数字”（数字向单位工作人员要）。绑定后发“帮助”看能做什么。"
	replyKVDown     = "（系统暂时记不住后续问题，请直接发一条完整的话，例如：走访 王春发 送米20斤）"
	replyDialogLost = "系统暂时记不住刚才问的问题，这个数字没法对上，这条没有记录。请直接发一条完整的话，例如：走访 王春发 送米20斤"
	replyNoHH       = "您目前没有结对的户。如有变动请联系单位工作人员。"
	replyNoHHOfMine = "您的账号还没有关联到户，请联系村里或单位工作人员。"
	replyBadDate    = "这个日期不存在，请再看看，例如：走访 2 11月20日 …"
	replyFutureDate = "日期不能晚于今天。补报请写过去的日期，例如：走访 2 昨天 …"
	replyBigMoney   = "金额太大了，是不是多打了数字？请改正后再发，例如：送温暖 2 现金500元"
	replyDateTooOld = "这个日期太早了（2000年以前），是不是年份打错了？这条没有记录，请改正后再发，例如：走访 2 11月20日 …"
	// replyNegativeMoney: aid is never negative; a minus sign is a typo, not a refund.
	replyNegativeMoney = "金额不能是负数，这条没有记录。请去掉“-”或“负”再发，例如：送温暖 2 现金500元"
	replyBadMoney      = "这个金额看不明白（如 1e3元、1,00元、上千元），这条没有记录。请写成数字，例如：现金1000元、3千元、伍佰元"
	// replyPlanOnly: "明天走访王春发" says what will happen; recording it would count a visit that has not been made.
	replyPlanOnly = "这条说的是以后的安排，还没有发生，没有记录。去过之后再报，例如：走访 王春发 送米20斤；要记进本月计划请发：计划 下周走访王春发"
)

func replyTooLong(n, max int) string {
	return fmt.Sprintf("内容太长了（%d字），最多能记%d字，这条没有记录。请精简后再发，或分几次记。", n, max)
}

// helpLine is the one-line usage of each command in 帮助, by route id.
var helpLine = map[string]string{
	"list":        "我的亲戚 — 看结对户、上次联系、该走访了没",
	"contact":     "电话 2 问春耕准备 — 记一次电话/微信联系",
	"visit":       "走访 王春发 送化肥3包 现金500元 — 记一次走访（可写“昨天”“3月5日”补报；也可以直接说：去了老赵家 老人不在、看了王春发、给1、2户都送了米）",
	"policy":      "讲政策 2 讲了医保缴费 — 记一次政策宣讲",
	"warmth":      "送温暖 2 米20斤 油2桶 — 记一次送温暖",
	"deed":        "办实事 2 帮办了低保年审 — 记一件实事（也可以直接说：帮李桂兰把医保续上了）",
	"undo":        "撤销 — 撤回刚才的报告（10分钟内）；信号差重发了同一次走访不会记两次，真是又去了一次，按提示回复 1（再记一条）",
	"withdraw":    "撤回 — 刚提的事按错了或不用办了：撤回，投诉也可以改交帮扶干部（也可以说：按错了、3号不用办了）",
	"amend":       "补充 送了两袋米 — 补到刚才的报告里（10分钟内；刚报完直接发“送了两袋米”也行）",
	"plan":        "计划 本月走访全部亲戚 — 记本月工作计划",
	"requests":    "诉求列表 — 看待办的诉求",
	"accept":      "受理 12 — 受理12号诉求",
	"resolve":     "办结 12 已办好救助卡 — 办结并告诉群众结果",
	"transfer":    "转办 12 需要民政协调 — 转给单位协调员",
	"request":     "诉求 就医 想办医疗救助卡 — 提一件需要帮忙的事（也可以直接发语音、发照片）",
	"complaint":   "投诉 … — 反映对干部的意见，直接交单位负责人（也可以先发“投诉”，再说或发语音）",
	"rate":        "评价 5 很满意 — 给干部的帮助打分（1到5分）",
	"mycadre":     "我的干部 — 看结对干部的联系卡",
	"myrequests":  "我的诉求 — 看反映过的事办到哪一步了",
	"menu":        "菜单 — 数字菜单，回复数字就行",
	"overdue":     "逾期 [单位] — 本单位及下属单位逾期未联系的结对（「逾期 全部」发可打印的表格）",
	"stats":       "统计 11月 [单位] — 走到的户、户主确认、异议、诉求按时办结、满意度，活动次数供参考（也可写 2026Q4、2026年）",
	"ranking":     "排名 2026Q4 — 单位按结果排名（默认关闭：2026年政务应用规定禁止应用内积分排名；只排单位，不排个人，不看活动次数）",
	"export":      "导出 11月 — 领取民情台账 Excel 文件",
	"chart":       "统计图 11月 — 各单位五类活动柱状图",
	"relay":       "接力 周干部 王干部 — 把结对户整体交给新干部，记录保留，先列出各户请您确认（也可以说：把周干部的户交给王干部）",
	"campaigns":   "活动 — 进行中和下一个走访活动，已走到多少户",
	"leave":       "请假 周干部 12-01 12-15 住院 — 登记干部请假，期间不催",
	"askleave":    "请假 明天到后天 家里有事 — 转告单位协调员登记，期间不催",
	"askleaveend": "销假 — 提前回来了，转告单位协调员销假",
	"leaveend":    "销假 周干部 — 干部提前回来，从今天起恢复提醒（也可以说：周干部销假了）",
	"callbacks":   "回访清单 [11月] — 不用微信的户要打电话回访的名单（Excel，含完整电话，取用会留痕）",
	"callback":    "回访 H001 1 说明 — 记一次电话回访：1 是　2 没有来　3 有出入",
	"verify":      "核实 12 属实 说明 — 核实户主提出的异议（属实＝户主说的对；有误＝记录无误）；只发「核实」看待核实名单",
	"bindcode":    "绑定码 G01 — 给本单位干部（编号或姓名）或结对户（人员编号）生成一次性绑定码，当面交给本人",
	"nudge":       "提醒干部 周干部 这周去一趟赵家 — 给本单位干部发一条提醒（也可以说：提醒一下周干部）",
	"cadrecard":   "查干部 陈建国 — 看一位干部的结对户、上次联系和本月还差什么（也可以只发姓名，或问：陈建国最近走访了吗）",
}

// roleExample is the one-line example for unknown input, by role (the coordinator's, which names
// the month, is in replyUnknown).
var roleExample = map[domain.Role]string{
	domain.RoleHousehold: "没看懂您的意思。有事请发：诉求 就医 想办医疗救助卡，或直接发语音；回复“菜单”看数字菜单。",
	domain.RoleCadre:     "没看懂这条。报走访请发：走访 王春发 送米20斤（或 走访 2 …）；发“帮助”看全部命令。",
	domain.RoleAdmin:     "没看懂这条。发“帮助”看全部命令。",
}

// replyUnknown is the role's example; the coordinator's names this month ("统计 12月" in December).
func replyUnknown(role domain.Role, now time.Time) string {
	if role == domain.RoleCoordinator {
		return fmt.Sprintf("没看懂这条。看逾期请发：逾期；看本月统计：统计 %d月；发“帮助”看全部命令。", now.Month())
	}
	return roleExample[role]
}

// roleCan says in one line what a role can do, after a command of another role.
var roleCan = map[domain.Role]string{
	domain.RoleHousehold:   "您可以发：诉求 就医 想办医疗救助卡、评价 5、我的干部，或回复“菜单”。",
	domain.RoleCadre:       "干部可以发：走访/电话/送温暖 …、我的亲戚、撤销、诉求列表；发“帮助”看全部。",
	domain.RoleCoordinator: "协调员可以发：逾期、统计、排名、导出、诉求列表；发“帮助”看全部。",
	domain.RoleAdmin:       "管理员可以发：逾期、统计、排名、导出、绑定码；发“帮助”看全部。",
}

func replyWrongRole(word string, role domain.Role) string {
	return fmt.Sprintf("“%s”不是您这个身份能用的命令。%s", word, roleCan[role])
}

// replyLeaveAsked tells a cadre which coordinators their leave request went to.
func replyLeaveAsked(coords []string) string {
	return fmt.Sprintf("已转告单位协调员 %s，由协调员登记。登记后这几天不会再提醒您，逾期名单里会标“请假中”。日期有变请再发一次，例如：请假 12月8日到12月10日 住院。", strings.Join(coords, "、"))
}

// noteWordsRunes bounds a person's own words quoted in a note to someone else.
const noteWordsRunes = 60

// maskedClip is words as a note quotes them: masked first, then clipped, so a clip never cuts a
// phone or ID number into a piece that is no longer recognised and goes out unmasked.
func maskedClip(words string) string {
	return clipText(pii.Mask(strings.TrimSpace(words)), noteWordsRunes)
}

// noteLeaveAsked is a coordinator's note of a cadre's leave request: the cadre's words (masked,
// clipped) and the command that records it.
func noteLeaveAsked(cadre, words, cmd string) string {
	return fmt.Sprintf("【请假】干部 %s 发来：“%s”\n核实后请发：%s [原因]\n登记后期间不提醒他，逾期名单里标“请假中”。", cadre, maskedClip(words), cmd)
}

const replyNudgeUsage = "请这样写：提醒干部 干部姓名或编号 [要说的话]，例如：提醒干部 周干部 这周去一趟赵家；也可以说：提醒一下周干部"

// replyNudged tells a coordinator the reminder went; heldUntil, when not "", is the end of the
// quiet hours it waits for.
func replyNudged(cadre, words, heldUntil string) string {
	s := "已提醒 " + cadre
	if words != "" {
		s += "：“" + pii.Mask(words) + "”"
	}
	if heldUntil != "" {
		s += fmt.Sprintf("（现在是休息时间，%s 后送到）", heldUntil)
	}
	return s + "。"
}

// noteNudge is a coordinator's reminder as the cadre reads it.
func noteNudge(coord, words string) string {
	if words == "" {
		words = "请抽空联系一下还没联系的结对户。"
	}
	return fmt.Sprintf("【提醒】单位协调员 %s：%s\n发“我的亲戚”看哪几户该联系了；村里信号不好，回来补报也算数。有困难请直接找 %s。", coord, pii.Mask(words), coord)
}

// replyLeaveEndAsked tells a cadre back from leave which coordinators were told.
func replyLeaveEndAsked(coords []string) string {
	return fmt.Sprintf("已转告单位协调员 %s，由协调员销假。销假后恢复提醒。", strings.Join(coords, "、"))
}

// noteLeaveEndAsked is a coordinator's note of a cadre back from leave early.
func noteLeaveEndAsked(cadre, words string) string {
	return fmt.Sprintf("【销假】干部 %s 发来：“%s”\n核实后请发：销假 %s\n销假后从今天起恢复提醒。", cadre, maskedClip(words), cadre)
}

const (
	// replyCadreLeave answers a cadre who asks for leave when no coordinator is found for their unit.
	replyCadreLeave = "请假由单位协调员登记：您的单位还没有协调员在系统里，请直接告诉单位负责人起止日期，登记后这几天不会再提醒您，逾期名单里也会标“请假中”。"
	// replyCadreGreet answers a cadre's thanks or greeting.
	replyCadreGreet = "您好！报走访直接发一句话，例如：走访 王春发 送米20斤；发“我的亲戚”看结对户，发“帮助”看全部命令。"
)

// replyPickAllSaid asks which household a report meant that said it was all of them ("送温暖 全部
// 米20斤"), the last choice being all.
func replyPickAllSaid(labels []string) string {
	all := fmt.Sprintf("这%d户都记（每户记一条，内容相同）", len(labels))
	return "报的是哪一户？回复数字：\n" + numbered(append(labels, all)) + "\n10分钟内回复有效。"
}

func replyUnsupported(role domain.Role, now time.Time) string {
	return "这种消息我还处理不了。" + replyUnknown(role, now)
}

// replyHelpAnswers tells a household how long its digits count and that a visit confirmation may be
// answered in words or by voice.
func replyHelpAnswers(wait time.Duration) string {
	return fmt.Sprintf("问您的问题，回复数字就行，%s内都算数；问您干部来没来过，也可以直接说“来过了”“没来”，打字、发语音都行", durationLabel(wait))
}

func replyHelp(role domain.Role, lines []string) string {
	title := map[domain.Role]string{domain.RoleHousehold: "您可以这样用：", domain.RoleCadre: "干部可用的命令：",
		domain.RoleCoordinator: "可用的命令：", domain.RoleAdmin: "可用的命令："}[role]
	return title + "\n" + strings.Join(lines, "\n") + "\n有问题直接发消息，看不懂的我会给例子。"
}

// ---- check-ins ---------------------------------------------------------------------------------

// dayLabel names d's calendar day as seen from today's: a report stored at noon yesterday is 昨天
// whatever the hour of either.
func dayLabel(d, today time.Time) string {
	d = clock.Day(d)
	switch int(clock.Day(today).Sub(d).Hours() / 24) {
	case 0:
		return "今天"
	case 1:
		return "昨天"
	}
	if d.Year() != today.Year() {
		return d.Format("2006年1月2日")
	}
	return fmt.Sprintf("%d月%d日", d.Month(), d.Day())
}

func salesYuan(fen int64) string {
	if fen == 0 {
		return ""
	}
	return yuan(fen)
}

func yuan(fen int64) string {
	if fen%100 == 0 {
		return fmt.Sprintf("%d元", fen/100)
	}
	return fmt.Sprintf("%d.%02d元", fen/100, fen%100)
}

func replyCheckInSaved(c store.CheckIn, hh string, day, today time.Time, again bool, undo time.Duration) string {
	head := "已记录 ✔\n"
	if again {
		head = "这条已经记过了，没有重复记录：\n"
	}
	return head + replyCheckInBody(c, hh, day, today) + fmt.Sprintf("\n记错了发“撤销”（%d分钟内）；可接着发位置或照片附到这条。", int(undo.Minutes()))
}

// replySavedEach answers a report by list numbers: each household's report, one after the other.
func replySavedEach(bodies []string, again bool, undo time.Duration) string {
	head := fmt.Sprintf("已记录 ✔（%d户，各记各的）\n", len(bodies))
	if again {
		head = "这条已经记过了，没有重复记录：\n"
	}
	return head + strings.Join(bodies, "\n") + fmt.Sprintf("\n记错了发“撤销”（%d分钟内，这几户一起撤回）。", int(undo.Minutes()))
}

// replyCheckInBody is what a report recorded: kind, household, day, goods, money and words.
func replyCheckInBody(c store.CheckIn, hh string, day, today time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s｜%s｜%s", c.Kind.Label(), hh, dayLabel(day, today))
	if c.Kind == domain.KindContact && c.Mode != "" {
		fmt.Fprintf(&b, "｜%s", c.Mode.Label())
	}
	if c.Items != "" {
		fmt.Fprintf(&b, "\n物品：%s", strings.ReplaceAll(c.Items, ";", "、"))
	}
	if c.ValueFen > 0 {
		fmt.Fprintf(&b, "\n金额：%s", yuan(c.ValueFen))
	}
	if c.SalesItems != "" || c.SalesFen > 0 {
		fmt.Fprintf(&b, "\n帮销（不计入帮扶金额）：%s", strings.TrimPrefix(strings.ReplaceAll(c.SalesItems, ";", "、")+" "+salesYuan(c.SalesFen), " "))
	}
	if c.Text != "" {
		fmt.Fprintf(&b, "\n内容：%s", pii.Mask(c.Text))
	}
	return b.String()
}

// replySentAgain answers a report already recorded from an earlier message: when, and how to
// record a second one that really happened.
func replySentAgain(saved store.CheckIn, now time.Time, text string) string {
	when := saved.ReportedAt.In(now.Location()).Format("15:04")
	if !clock.Day(saved.ReportedAt).Equal(clock.Day(now)) {
		when = dayLabel(saved.ReportedAt, now) + when
	}
	head := fmt.Sprintf("%s已经记过一条一样的，没有重复记录。如果是又一次，请加几个字说明再发：\n", when)
	return strings.Replace(text, "这条已经记过了，没有重复记录：\n", head, 1)
}

// replyRecordedAt names an earlier report a new one repeats: household, kind, day, the time it was
// recorded and its number.
func replyRecordedAt(e store.CheckIn, hh string, now time.Time) string {
	return fmt.Sprintf("%s %s的%s %s 已经记过了（#%d）", hh, dayLabel(e.OccurredAt, now), e.Kind.Label(),
		e.ReportedAt.In(now.Location()).Format("15:04"), e.ID)
}

// replyAlreadyRecorded answers a report sent again in other words (checkin_again.go): what was
// recorded of it (saved, for other households), what was not and why, and how to record it anyway
// or add its new words (extra) to the earlier report.
func replyAlreadyRecorded(saved string, lines []string, extra string) string {
	var b strings.Builder
	if saved != "" {
		b.WriteString(saved + "\n\n")
	}
	if len(lines) == 1 {
		fmt.Fprintf(&b, "这条没有再记：%s，看着是同一次。\n如果真是又去了一次，回复 1 或“再记一条”。", lines[0])
	} else {
		fmt.Fprintf(&b, "这几户没有再记，看着是同一次：\n%s\n如果真是又去了一次，回复 1 或“再记一条”，这几户再各记一条。", strings.Join(lines, "\n"))
	}
	if extra != "" {
		fmt.Fprintf(&b, "\n这次多说的“%s”要加到那条里，回复 2（或发“补充 …”写别的）。", echo(extra, 30))
	}
	return b.String() + "\n10分钟内回复有效。"
}

// replyRecordAgainLeft: the resend is not recorded and the earlier report stands.
const replyRecordAgainLeft = "好的，这条没有再记，之前记的那条照旧。要撤销之前那条，请再发“撤销”。"

// replyRecordAgainRange answers another number to the question of replyAlreadyRecorded.
func replyRecordAgainRange(two bool) string {
	if two {
		return "请回复 1（再记一条）或 2（把多说的话加到那条里）。也可以重新发完整的话。"
	}
	return "请回复 1（再记一条）。也可以重新发完整的话。"
}

// replyAmendedEarlier answers words added to an earlier report through the question.
func replyAmendedEarlier(e store.CheckIn, saved string) string {
	return strings.Replace(saved, "已记录 ✔\n", fmt.Sprintf("已补充到那条（#%d）✔\n", e.ID), 1)
}

const replyRecordAgainExpired = "没有等着再记的报告（问题10分钟内回复有效），这条没有记录。如果真是又去了一次，请重新发完整的报告。"

const replyEarlierGone = "那条报告已经撤销了，没有补充。请重新发完整的报告。"

func replyTooOld(day time.Time, maxDays int) string {
	return fmt.Sprintf("%s 已超过%d天，不能再补报了，这条没有记录。如确需补录，请联系单位协调员。", day.Format("2006年1月2日"), maxDays)
}

func replyPickHousehold(ref string, labels []string) string {
	q := "报的是哪一户？回复数字："
	if ref != "" {
		q = fmt.Sprintf("“%s”对应不止一户，是哪一户？回复数字：", ref)
	}
	return q + "\n" + numbered(labels) + "\n10分钟内回复有效。"
}

// replyPickSeveral asks among households named by different names; the last choice records all.
func replyPickSeveral(labels []string) string {
	all := fmt.Sprintf("这%d户都记（每户记一条，内容相同）", len(labels))
	return fmt.Sprintf("这条提到了%d户，报的是哪一户？回复数字：\n%s\n10分钟内回复有效。", len(labels), numbered(append(labels, all)))
}

// replyPickCounted asks which n of the households a report was for.
func replyPickCounted(n int, labels []string) string {
	return fmt.Sprintf("这条说的是%d户，是哪几户？回复数字，几户就回几个，例如：1 2\n%s\n10分钟内回复有效。", n, numbered(labels))
}

// replySavedForEach heads the reply of a report recorded for each of n households.
func replySavedForEach(n int, saved string) string {
	return strings.Replace(saved, "已记录 ✔", fmt.Sprintf("已记录 ✔（%d户，每户一条）", n), 1)
}

func replyNotYourHousehold(ref string) string {
	return fmt.Sprintf("“%s”不是您的结对户，这条没有记录。发“我的亲戚”看您的户和编号。", ref)
}

func replyNoSuchNumber(n, total int) string {
	return fmt.Sprintf("您只有%d户，没有第%d户。发“我的亲戚”看编号。", total, n)
}

// replyPickAgain asks the household question again after an answer that named none of them.
func replyPickAgain(labels []string, all bool) string {
	if all {
		labels = append(labels, fmt.Sprintf("这%d户都记", len(labels)))
	}
	return "没看出您选的是哪一户，刚才的报告还在等您选。请回复数字：\n" + numbered(labels) + "\n也可以重新发完整的话。"
}

// replyOfferLeft says that a household's sentence waiting for 1/2/3 was dropped by a command.
func replyOfferLeft(text string) string {
	return fmt.Sprintf("（您刚才说的“%s”还没有转给干部；需要的话请再发一遍。）", echo(text, 20))
}

// replyPickDropped says that a report waiting for its household was dropped by a new message.
func replyPickDropped(kind, text string) string {
	if text != "" {
		kind += " " + echo(text, 20)
	}
	return fmt.Sprintf("（上一条“%s”还没选是哪一户，没有记录；需要的话请重发。）", kind)
}

func replyPickRange(n int) string {
	return fmt.Sprintf("请回复1到%d之间的数字。也可以重新发完整的话。", n)
}

func replyUndone(c store.CheckIn, hh string, today time.Time) string {
	return fmt.Sprintf("已撤销：%s｜%s｜%s。要重报直接再发一次。", c.Kind.Label(), hh, dayLabel(c.OccurredAt, today))
}

func replyUndoTooLate(c store.CheckIn, hh string, window time.Duration) string {
	return fmt.Sprintf("“%s %s”已经报了超过%d分钟，不能撤销了。如有错误请联系单位协调员更正。", c.Kind.Label(), hh, int(window.Minutes()))
}

const replyNothingToUndo = "您还没有可以撤销的报告。报走访请发：走访 2 …"

func replyAttached(kind domain.CheckInKind, done []attached, farMeters int) string {
	what, names := "照片", make([]string, len(done))
	for i, a := range done {
		names[i] = a.head
	}
	if len(done) > 0 && done[0].e.Lat != nil {
		what = "位置"
	}
	s := fmt.Sprintf("%s已附到：%s｜%s。", what, kind.Label(), strings.Join(names, "、"))
	var far []string
	for _, a := range done {
		if a.e.DistanceM == nil {
			continue
		}
		d := "离登记住址约" + meters(*a.e.DistanceM)
		if len(done) > 1 {
			d = a.head + d
		}
		if a.e.Far {
			d += fmt.Sprintf("（超过%s，已备注，记录照常有效）", meters(farMeters))
		}
		far = append(far, d)
	}
	if len(far) > 0 {
		s += strings.Join(far, "；") + "。"
	}
	return s + "不需要的话发“撤销”整条撤回。"
}

func meters(m int) string {
	if m >= 1000 {
		return fmt.Sprintf("%.1f公里", float64(m)/1000)
	}
	return fmt.Sprintf("%d米", m)
}

const (
	replyAmendUsage    = "请这样写：补充 送了两袋米（补到您刚发的报告里）。"
	replyAmendNamesOne = "补充不用写户名或日期，直接写要补的内容，例如：补充 送了两袋米。要报另一户或另一天，请直接发新的报告。"
	replyAmendAgain    = "这条已经补充过了，没有重复添加。"
)

func replyAmendNoRecent(window time.Duration) string {
	return fmt.Sprintf("%d分钟内没有您的报告，没有可补充的。请带上户名发一条完整的报告，例如：走访 王春发 送了两袋米。", int(window.Minutes()))
}

// replyAmended shows the report as it now stands.
func replyAmended(saved string) string {
	return strings.Replace(saved, "已记录 ✔\n", "已补充到刚才的报告 ✔\n", 1)
}

// replyEvidenceHeld says a photo or location sent before the household's number waits with the report.
func replyEvidenceHeld(location bool) string {
	what := "照片"
	if location {
		what = "位置"
	}
	return what + "先收着，回复上面的数字选好是哪一户，就附到这条报告上。"
}

func replyNoRecentCheckIn(window time.Duration) string {
	return fmt.Sprintf("%d分钟内没有您的报告，位置或照片没有附上。先发报告（例如：走访 2 …），再发位置或照片。", int(window.Minutes()))
}

const replyCadreVoice = "语音我听不了，请用文字报告，例如：走访 2 送米20斤。手机输入法的语音转文字也可以。"
const replyHouseholdMedia = "这种消息我还转不了。有事请打字、发语音或发照片，我转给您的帮扶干部；回复“菜单”看数字菜单。"

// replyHouseholdMediaKept answers a location or file sent while a question waits for the household.
const replyHouseholdMediaKept = "这种消息我还转不了，请打字、发语音或发照片。刚才的问题还在等您回复。"

// replyPhotoAdded says a photo joined the request or complaint just made.
func replyPhotoAdded(q store.Request) string {
	if q.Kind == domain.ReqComplaint {
		return fmt.Sprintf("照片收到了，已补充到您的投诉（编号%d），交给单位负责人。", q.ID)
	}
	return fmt.Sprintf("照片收到了，已补充到您的诉求（编号%d），一起转给干部。", q.ID)
}

// notePhotoAdded tells whoever holds a household's matter that a photo joined it.
func notePhotoAdded(q store.Request, hh, hint string) string {
	what := "投诉"
	if q.Kind != domain.ReqComplaint {
		what = "诉求"
	}
	return fmt.Sprintf("【%s#%d 补充照片】%s又发来一张照片。%s", what, q.ID, hh, hint)
}

// What a notice says of a household's photos and recordings: sent after it as files, or left on
// the platform where only a phone call learns what they show.
const (
	noteFilesFollow = "照片或录音见下一条。"
	noteFilesUnseen = "照片或录音这里看不到，请电话了解。"
)

// ---- list and plan -----------------------------------------------------------------------------

func replyList(lines []string) string {
	return "您的结对户：\n" + strings.Join(lines, "\n") + "\n报走访发：走访 编号 内容（例如：走访 1 送米20斤）。"
}

func listLine(n int, name string, last time.Time, today time.Time, status string) string {
	seen := "还没有联系记录"
	if !last.IsZero() {
		days := int(today.Sub(time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, today.Location())).Hours() / 24)
		seen = fmt.Sprintf("上次%s（%d天前）", fmt.Sprintf("%d月%d日", last.Month(), last.Day()), days)
		if days == 0 {
			seen = "今天联系过"
		}
	}
	return fmt.Sprintf("%d. %s｜%s｜%s", n, name, seen, status)
}

// listRequests notes a household's open requests on its 我的亲戚 line.
func listRequests(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("｜待办诉求%d件（发“待办”查看）", n)
}

func replyPlanSaved(month, text string) string {
	return fmt.Sprintf("%s工作计划已保存：%s\n要修改再发一次“计划 …”即可。", month, pii.Mask(text))
}

func replyPlanShow(month, text string) string {
	return fmt.Sprintf("%s工作计划：%s\n要修改请发“计划 新内容”。", month, pii.Mask(text))
}

func replyPlanNone(month string) string {
	return fmt.Sprintf("%s还没有工作计划。请发：计划 本月走访全部亲戚，帮2户联系就业。", month)
}

// ---- household requests ------------------------------------------------------------------------

// echo is a person's own words said back to them: phone and ID numbers masked (a household typing
// its 身份证号 into a sentence must not see it come back in full), and at most n runes, the start
// and the end with "…" between, so what was just added to a long sentence still shows.
func echo(text string, n int) string {
	rs := []rune(pii.Mask(text))
	if len(rs) <= n || n < 8 {
		return string(rs[:min(len(rs), n)])
	}
	head := n / 3
	return string(rs[:head]) + "…" + string(rs[len(rs)-(n-head-1):])
}

// Replies of a household's sentence that no command took (request_offer.go).
func replyOfferRequest(text string) string {
	return fmt.Sprintf("您说的是：“%s”\n要怎么办？回复 1 交给帮扶干部办理；回复 2 不用；回复 3 是反映干部的问题，交给单位（干部看不到）。", echo(text, 60))
}

// replyOfferLapsed: a digit came after the sentence's question stopped waiting (checkin.household_dialog_ttl).
func replyOfferLapsed(asked time.Time, wait time.Duration) string {
	return fmt.Sprintf("您%s说的话过了%s没有回复，还没有交给干部。再问您一次：", asked.Format("1月2日15:04"), durationLabel(wait))
}

// replyOfferStillWaits asks again about a sentence after the household answered a confirmation asked later.
func replyOfferStillWaits(text string) string {
	return fmt.Sprintf("您刚才说的“%s”还没有交给干部。要怎么办？回复 1 交给帮扶干部办理；回复 2 不用；回复 3 是反映干部的问题，交给单位（干部看不到）。", echo(text, 60))
}

// durationLabel is a configured duration in words: 2小时, 1天, 90分钟.
func durationLabel(d time.Duration) string {
	if d%time.Hour != 0 {
		return fmt.Sprintf("%d分钟", int(d.Minutes()))
	}
	return hoursLabel(d)
}

func replyAskDispleasure(text string) string {
	return fmt.Sprintf("您说“%s”。是什么事让您不满意？请说一说，也可以直接发语音，说完我问您交给谁办。", echo(text, 20))
}

const (
	replyOfferDropped     = "好的，这句话没有交给干部。有事随时发，也可以直接发语音。"
	replyOfferNoState     = "要请干部帮忙，请发：诉求 加上您的话，例如：诉求 我家房子漏雨了。也可以直接发语音。"
	replyThanksBack       = "不客气！有事随时发，也可以直接发语音；回复“菜单”看数字菜单。"
	replyPraiseBack       = "谢谢您的肯定！想给干部的帮助打个分，请发“评价”。有事随时发，也可以直接发语音。"
	replyCameThanks       = "谢谢您告诉我们干部来看过您！有事随时发，也可以直接发语音；回复“菜单”看数字菜单。"
	replyWhoAmI           = "我是结对帮扶的微信助手。您发来的事，我转给您的帮扶干部；您的帮扶干部是："
	replyEmergency        = "如果情况紧急，请马上打电话：火警119，急救120，报警110。打完电话再告诉我们，我们转给您的帮扶干部。"
	replyCadreWhereabouts = "干部这会儿在哪里，我这儿看不到。您可以直接打电话问他，也可以把事情发给我，我转给他："
	replyHouseholdHowTo   = "不用学，有事直接说就行：打字、按住“按住说话”发语音、发照片都可以，我转给您的帮扶干部。想用数字，回复“菜单”，只回一个数字就行。"
	replyHouseholdSad     = "您怎么了？有什么难处直接说，打字、发语音都行，我转给您的帮扶干部。如果情况紧急，请马上打电话：急救120，报警110。"
	replyGreetBack        = "您好！有事直接发给我，我转给您的帮扶干部，也可以直接发语音；回复“菜单”看数字菜单。"
)

// replyNoRequestsYet answers a household's 我的诉求 when they have reported nothing.
const replyNoRequestsYet = "您还没有反映过事情。有事直接发给我，我转给您的帮扶干部，也可以直接发语音。"

// replyStatusLine is one of a household's requests as they see it: what they said, when, and where
// it stands in their words. who is the cadre handling it, "" for a complaint (never named there).
func replyStatusLine(q store.Request, who string) string {
	text := pii.Mask(q.Text) // masked before it is clipped, so no piece of a number is left
	what := clipText(text, 16)
	if len([]rune(text)) > 16 {
		what += "…"
	}
	switch {
	case q.Kind == domain.ReqVoice:
		what = "语音留言"
	case q.Kind == domain.ReqComplaint:
		what = "投诉：" + what
	}
	return fmt.Sprintf("%d号 %s（%s）— %s", q.ID, what, q.CreatedAt.Format("1月2日"), statusInWords(q, who))
}

func statusInWords(q store.Request, who string) string {
	complaint := q.Kind == domain.ReqComplaint
	switch {
	case q.Status == domain.StatusWithdrawn:
		return "您已撤回（" + q.UpdatedAt.Format("1月2日") + "）"
	case q.Status == domain.StatusResolved:
		done := "已办好"
		if complaint {
			done = "已处理"
		}
		if q.ResolvedAt != nil {
			done += "（" + q.ResolvedAt.Format("1月2日") + "）"
		}
		if res := clipText(q.Result, 30); res != "" {
			done += "：" + res
		}
		return done
	case complaint && q.Status == domain.StatusNew:
		return "已交单位负责人，等处理"
	case complaint:
		return "单位正在处理"
	case q.Status == domain.StatusTransferred:
		return "已转到单位协调，正在办"
	case who == "":
		return "已登记，您暂时没有结对干部，请同时打村委会电话"
	case q.Status == domain.StatusAccepted:
		return fmt.Sprintf("%s正在办，约定%s前办好", who, q.DueAt.Format("1月2日"))
	}
	return fmt.Sprintf("已转给%s，等回复", who)
}

// replyRequestStatus is a household's 我的诉求: the lines, how many did not fit, and how to report more.
// replyRequestStatus lists a household's requests; chased, when not "", says whom a chase reached.
func replyRequestStatus(lines []string, left int, chased string) string {
	const more = "有新的事直接发给我，也可以发语音。"
	if len(lines) == 0 {
		return "您反映过的事都已办好，最近三个月没有新的。" + more
	}
	var b strings.Builder
	b.WriteString("您反映过的事：\n")
	b.WriteString(strings.Join(lines, "\n"))
	if left > 0 {
		fmt.Fprintf(&b, "\n另有%d件没列出，可以问您的帮扶干部。", left)
	}
	if chased != "" {
		b.WriteString("\n" + chased)
	}
	b.WriteString("\n" + more)
	return b.String()
}

// noteChase tells whoever holds a request that the household pressed for it.
func noteChase(q store.Request, who string) string {
	what := "诉求"
	if q.Kind == domain.ReqComplaint {
		what = "投诉"
	}
	text := maskedClip(q.Text)
	if q.Kind == domain.ReqVoice || text == "" {
		text = "语音留言"
	}
	return fmt.Sprintf("【催办】%s 在催%s#%d（%s，%s提出）：%s\n请尽快处理：受理发“受理 %d”，办好发“办结 %d 结果”。", who, what, q.ID,
		q.Category, q.CreatedAt.Format("1月2日"), text, q.ID, q.ID)
}

// replyChased tells a household whom its chase reached.
func replyChased(told []string) string {
	return "已帮您催了：" + strings.Join(told, "；") + "。同一件事一天提醒一次。"
}

const replyRequestEmpty = "请说说需要帮什么忙，例如：诉求 就医 想办医疗救助卡。也可以直接发语音。"

func replyRequestSaved(r store.Request, cadre string, ack time.Duration) string {
	if cadre == "" {
		return fmt.Sprintf("已登记您的诉求（编号%d，%s）。您暂时没有结对干部，请同时拨打村委会或镇政府电话反映，以免耽误。", r.ID, r.Category)
	}
	return fmt.Sprintf("已收到您的诉求（编号%d，%s），已转给%s，%s内会回复您。办好了会通知您。", r.ID, r.Category, cadre, hoursLabel(ack))
}

func replyVoiceSaved(r store.Request, cadre string) string {
	if cadre == "" {
		return fmt.Sprintf("语音已登记（编号%d）。您暂时没有结对干部，请同时拨打村委会或镇政府电话反映，以免耽误。", r.ID)
	}
	return fmt.Sprintf("语音收到了（编号%d），已请%s给您回电话。", r.ID, cadre)
}

func replyComplaintSaved(r store.Request) string {
	return fmt.Sprintf("投诉已收到（编号%d），直接交给单位负责人，不会转给您的结对干部。处理后会告诉您结果。", r.ID)
}

const replyComplaintEmpty = "请把要反映的事写在“投诉”后面，例如：投诉 干部半年没来过。"
const replyWaitDropped = "好的，没有记下什么。有事随时发，也可以直接发语音。"
const replyAskComplaint = "请说说要反映什么事，打字、发语音或发照片都行。会直接交给单位负责人，不会转给您的结对干部。"
const replyComplaintNoUnit = "您暂时没有结对干部，投诉无法转给单位负责人。请拨打镇政府或单位的办公电话反映。"

// replyComplaintNobody: the cadre's unit has no coordinator other than the household's own cadre.
const replyComplaintNobody = "您的投诉暂时没有单位负责人可以接收（不会转给您的结对干部）。请拨打镇政府或单位的办公电话反映。"

func hoursLabel(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d天", int(d/(24*time.Hour)))
	}
	return fmt.Sprintf("%d小时", int(d.Hours()))
}

func noteNewRequest(r store.Request, hh string, ackBy time.Time, hint string) string {
	what := pii.Mask(r.Text)
	if r.Kind == domain.ReqVoice {
		var b strings.Builder
		fmt.Fprintf(&b, "【语音诉求#%d】%s发来一条语音。", r.ID, hh)
		if heard, ok := strings.CutPrefix(r.Text, "（语音，平台识别）"); ok {
			fmt.Fprintf(&b, "平台识别的文字：“%s”（可能有误，以录音为准）。", pii.Mask(heard))
		}
		if hint == noteFilesFollow {
			b.WriteString("录音见下一条。")
		}
		fmt.Fprintf(&b, "请尽快回电话了解情况，然后发“受理 %d”。", r.ID)
		return b.String()
	}
	if hint != "" {
		what += "\n" + hint
	}
	return fmt.Sprintf("【新诉求#%d】%s（%s）：%s\n请在%s前受理：发“受理 %d”。", r.ID, hh, r.Category, what, ackBy.Format("1月2日15:04"), r.ID)
}

func noteCopyRequest(r store.Request, hh, cadre string, due time.Time) string {
	return fmt.Sprintf("【诉求抄送#%d】%s（%s）已交%s办理，限%s前办结。发“诉求列表”查看。", r.ID, hh, r.Category, cadre, due.Format("1月2日"))
}

func noteComplaint(r store.Request, hh, hint string) string {
	att := ""
	if hint != "" {
		att = "\n" + hint
	}
	return fmt.Sprintf("【投诉#%d】%s：%s%s\n请处理：发“受理 %d”，办好后发“办结 %d 结果”。", r.ID, hh, pii.Mask(r.Text), att, r.ID, r.ID)
}

// ---- request workflow --------------------------------------------------------------------------

func replyRequestLine(r store.Request, hh string, now time.Time) string {
	due := r.DueAt
	late := ""
	if r.Status == domain.StatusNew {
		due = r.AckDueAt
	}
	if now.After(due) {
		late = "，已超时"
	}
	return fmt.Sprintf("#%d %s｜%s｜%s｜限%s%s", r.ID, hh, kindOrCategory(r), report.StatusLabel(r.Status), due.Format("1月2日"), late)
}

func kindOrCategory(r store.Request) string {
	switch r.Kind {
	case domain.ReqComplaint:
		return "投诉"
	case domain.ReqVoice:
		return "语音"
	}
	return string(r.Category)
}

// requestGroups is the order of 诉求列表's groups: waiting to be taken on first.
var requestGroups = []domain.RequestStatus{domain.StatusNew, domain.StatusTransferred, domain.StatusAccepted}

// replyRequestList writes 诉求列表: a heading per state with how many there are in all, the listed
// lines under it, and how many were left out when the list is longer than one message should be.
func replyRequestList(groups map[domain.RequestStatus][]string, count map[domain.RequestStatus]int, listed int) string {
	total := 0
	for _, n := range count {
		total += n
	}
	if total == 0 {
		return "目前没有待办的诉求。有新诉求会第一时间通知您。"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "待办诉求共%d件：", total)
	for _, st := range requestGroups {
		if count[st] == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n【%s %d件】", report.StatusLabel(st), count[st])
		for _, l := range groups[st] {
			b.WriteString("\n" + l)
		}
	}
	if listed < total {
		fmt.Fprintf(&b, "\n另有%d件没有列出（只列了%d件），办结一些后再发“诉求列表”。", total-listed, listed)
	}
	b.WriteString("\n受理发“受理 编号”，办好发“办结 编号 结果”。")
	return b.String()
}

const (
	replyNeedNumber     = "请写上诉求编号，例如：受理 12。发“诉求列表”看编号。"
	replyNoneWaiting    = "现在没有等您受理的诉求。发“诉求列表”看全部待办。"
	replyNeedResult     = "请写上办理结果，例如：办结 12 已办好医疗救助卡。"
	replyNeedReason     = "请写上转办原因，例如：转办 12 需要民政部门协调。"
	replyNoSuchRequest  = "没有这个编号的诉求。发“诉求列表”看您的待办。"
	replyNotYourRequest = "这件诉求不归您办理，不能操作。发“诉求列表”看您的待办。"
	replyAlreadyCoord   = "这件诉求已经在单位协调员手里，请直接受理或办结。"
)

func replyWrongState(r store.Request) string {
	return fmt.Sprintf("诉求#%d现在是“%s”，不能这样操作。发“诉求列表”看待办。", r.ID, report.StatusLabel(r.Status))
}

func replyAccepted(r store.Request) string {
	return fmt.Sprintf("已受理诉求#%d，已通知群众。请在%s前办结，办好发“办结 %d 结果”。", r.ID, r.DueAt.Format("1月2日"), r.ID)
}

func replyResolved(r store.Request) string {
	return fmt.Sprintf("诉求#%d已办结，结果已告诉群众，并请他打分。辛苦了！发“诉求列表”看其他待办。", r.ID)
}

func replyTransferred(r store.Request) string {
	return fmt.Sprintf("诉求#%d已转给单位协调员，已告诉群众。发“诉求列表”看其他待办。", r.ID)
}

func noteAccepted(r store.Request, who string) string {
	return fmt.Sprintf("您的诉求（编号%d）%s已经受理，会在%s前办好。有新情况会告诉您。", r.ID, who, r.DueAt.Format("1月2日"))
}

func noteResolved(r store.Request) string {
	return fmt.Sprintf("您的诉求（编号%d）办好了：%s\n请给这次帮助打个分：回复1到5的数字（5分最满意）。", r.ID, pii.Mask(r.Result))
}

func noteTransferredHH(r store.Request) string {
	return fmt.Sprintf("您的诉求（编号%d）需要单位协调办理，已经转过去了，会尽快答复您。", r.ID)
}

func noteTransferredCoord(r store.Request, hh, cadre string) string {
	return fmt.Sprintf("【转办诉求#%d】%s（%s），%s转来，原因：%s\n请处理：发“受理 %d”。", r.ID, hh, kindOrCategory(r), cadre, pii.Mask(r.TransferNote), r.ID)
}

// ---- ratings, card, menu -----------------------------------------------------------------------

const replyRateHelp = "请这样打分：评价 5 很满意（1到5分，5分最满意，后面可以写意见）。"

func replyRated(score int, forRequest domain.RequestID) string {
	s := fmt.Sprintf("谢谢您的评价（%d分）！", score)
	if forRequest != 0 {
		s = fmt.Sprintf("谢谢您给诉求%d打分（%d分）！", forRequest, score)
	}
	return s + "还有事随时发“诉求 …”或语音。"
}

// replyRerated answers a second rating in one month: it replaces the first.
func replyRerated(before, score int) string {
	if before == score {
		return fmt.Sprintf("您这个月已经打过%d分了，这次的意见也记上了，谢谢您！每月按最后一次打分算。", score)
	}
	return fmt.Sprintf("已把您这个月的打分从%d分改成%d分，谢谢您！每月按最后一次打分算。", before, score)
}

const replyAlreadyRated = "这件诉求已经打过分了，谢谢您！还有事随时发“诉求 …”或语音。"

// replyRelayedCard stands before the card of a cadre who took the household over lately.
func replyRelayedCard(earlier string, since time.Time) string {
	return fmt.Sprintf("（%s 起，您家的结对干部由 %s 换成了下面这位，有事请找他）\n", since.Format("1月2日"), earlier)
}

func replyCard(cards []string) string {
	if len(cards) == 0 {
		return "您暂时没有结对干部。有事请拨打镇政府或村委会电话。"
	}
	return strings.Join(cards, "\n\n") + "\n有事发“诉求 …”或直接发语音。"
}

func cardText(name, title, unit, phone, promise, office string) string {
	lines := []string{"【联系卡】" + name + " " + title, "单位：" + unit}
	if phone != "" {
		lines = append(lines, "电话："+store.MaskPhone(phone)+"（完整号码见上门时留的联系卡）")
	}
	if promise != "" {
		lines = append(lines, "服务承诺："+pii.Mask(promise))
	}
	if office != "" {
		lines = append(lines, "单位办公电话："+office)
	}
	return strings.Join(lines, "\n")
}

var menuItems = []string{"我的干部（联系卡）", "提诉求（需要帮忙的事）", "给干部打分", "投诉", "使用帮助", "我反映的事办得怎么样了", "刚才发的按错了（撤回或改交）"}

func replyMenu() string {
	return "请回复数字：\n" + numbered(menuItems) + "\n也可以直接发语音说事。"
}

func replyCategoryMenu() string {
	cats := make([]string, len(domain.RequestCategories))
	for i, c := range domain.RequestCategories {
		cats[i] = string(c)
	}
	return "是哪方面的事？回复数字：\n" + numbered(cats)
}

func replyAskRequestText(cat domain.RequestCategory) string {
	return fmt.Sprintf("好的（%s）。请说说具体什么事，打字或发语音都行。", cat)
}

// replyRateAskAgain asks for the score of a household that rated this month already.
func replyRateAskAgain(before int) string {
	return fmt.Sprintf("您这个月已经打过%d分。要改的话，回复1到5的数字（5分最满意），每月按最后一次打分算。", before)
}

const replyRateAsk = "请给结对干部的帮助打个分：回复1到5的数字（5分最满意），后面可以写意见，例如：5 很满意。"

func numbered(items []string) string {
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = fmt.Sprintf("%d. %s", i+1, it)
	}
	return strings.Join(lines, "\n")
}

// ---- coordinator commands (逾期 统计 排名 导出 统计图 接力 活动 请假 绑定码) ----

const (
	scopeAllName          = "全部单位"
	replyCoordUnavailable = "这项功能暂未开通，请联系管理员。发送「帮助」看看其他命令。"
	replyCoordNoUnit      = "您的账号还没有所属单位，无法查看单位数据。请联系管理员补录单位。"
	replyOverdueFoot      = "发送「逾期 单位名」只看一个单位；提醒干部时请体谅村里信号差，补报也算数。"
	replyRankingFoot      = "排名只供协调人内部督导，请勿公开通报个人。发送「统计」看本月数字。"
	// replyRankingOff says why 排名 is off unless the deployment switched it on.
	replyRankingOff = "排名没有开启：2026年《政务移动互联网应用程序规范化管理办法》禁止在应用内搞积分排名，" +
		"2024年减负规定也不让用留痕代替实效。需要督导时请发「统计」，看各单位走到的户、户主确认、异议核实、诉求按时办结和满意度。" +
		"（如县里确需内部排名，管理员可在配置 ranking.enabled 中开启；开启后也只按结果排单位，不排个人、不看活动次数。）"
	// replyNoPunchCoord and replyNoPunchCadre answer 打卡: there is none, by design (2024 减负规定).
	replyNoPunchCoord         = "这里不设打卡：2024年减负规定不让用打卡、留痕代替实效。看各单位走到了哪些户请发「统计」，看谁还没联系请发「逾期」，看一位干部发「查干部 姓名」。"
	replyNoPunchCadre         = "不用打卡。走访或电话之后发一句话就行，例如：走访 王春发 送米20斤；没信号时过几天补报也算数。"
	replyLeaveEndUsage        = "请这样写：销假 干部姓名或编号，例如：销假 周干部（从今天起恢复提醒）"
	replyLeaveUsage           = "请这样写：请假 干部姓名或编号 开始日期 结束日期 [原因]，例如：请假 周干部 12-01 12-15 住院（一天只写一个日期；也可以写天数：请假 周干部 明天 3天）"
	replyLeaveBadDate         = "日期没看懂。请写成 12-01、12月1日、2026-12-01、今天/明天 或 下周一，例如：请假 周干部 12月1日到12月15日"
	replyLeaveOrder           = "结束日期早于开始日期了，请检查后重发，例如：请假 周干部 12-01 12-15"
	replyLeaveTooLong         = "请假不能超过一年。长期离岗请用「接力 旧干部 新干部」把结对户交给别人。"
	replyBindCodeUsage        = "请这样写：绑定码 人员编号，例如：绑定码 G01（编号见花名册）。"
	replyCadreHouseholdsUsage = "请这样写：查干部 姓名（或人员编号），例如：查干部 陈建国。"
	replyRelayUsage           = "请这样写：接力 旧干部 新干部（姓名或编号），例如：接力 周干部 王干部"
	replyCampaignsNoneOpen    = "今天没有进行中的走访活动。"
	replyCampaignsFoot        = "发送「逾期」看哪些户还没联系，「统计」看本月数字。"
)

// replyUnitSeveral lists the caller's units whose names contain ref.
func replyUnitSeveral(ref string, units []store.Unit) string {
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = "「" + u.Name + "」"
	}
	return fmt.Sprintf("「%s」对应您的%d个单位：%s。请写其中一个的全称或单位编号。", ref, len(units), strings.Join(names, "、"))
}

func replyUnitUnknown(ref string) string {
	return fmt.Sprintf("没找到单位「%s」。请写单位全称或单位编号，或直接发送「逾期」看您的全部单位。", ref)
}

func replyUnitOutOfScope(name string) string {
	return fmt.Sprintf("「%s」不在您负责的单位范围内。发送「逾期」看您自己单位的情况。", name)
}

func replyCadreOutOfScope(ref string) string {
	return fmt.Sprintf("干部「%s」不在您负责的单位范围内，无法操作。请联系该单位的协调人。", ref)
}

func replyCadreUnknown(ref string) string {
	return fmt.Sprintf("在您的单位里没找到干部「%s」。请写姓名或人员编号，例如：G01。", ref)
}

func replyCadreAmbiguous(ref string, codes []string) string {
	return fmt.Sprintf("有 %d 位干部叫「%s」（编号 %s），请改用编号重发。", len(codes), ref, strings.Join(codes, "、"))
}

func replyOverdueNone(scope string, total int) string {
	return fmt.Sprintf("✅ %s 的 %d 对结对目前都没有逾期。发送「统计」看本月数字。", scope, total)
}

func replyOverdueHead(scope string, n, total int) string {
	return fmt.Sprintf("⏰ %s：%d 对结对中有 %d 对逾期（逾期最久的在前）", scope, total, n)
}

func replyOverdueLine(i int, cadre, head, code, summary string, leave bool) string {
	mark := ""
	if leave {
		mark = "（请假中）"
	}
	return fmt.Sprintf("%d. %s%s → %s（%s）%s", i, cadre, mark, head, code, summary)
}

func replyOverdueMore(n int) string {
	return fmt.Sprintf("……还有 %d 对未列出；全部名单发「逾期 全部」，以表格文件发给您，可打印", n)
}

// replyOverdueFile goes with the overdue list's file.
func replyOverdueFile(scope string, n int) string {
	return fmt.Sprintf("📎 %s 逾期名单（共 %d 对，逾期最久的在前）已生成，稍后以文件发给您，可直接打印。", scope, n)
}

func replyPeriodFuture(arg string) string {
	return fmt.Sprintf("「%s」还没开始，没有数据。试试「统计 本月」或「统计 上月」。", arg)
}

// replyPeriodWeek answers a week: counts go by month, quarter and year, and this month so far is
// the nearest thing.
func replyPeriodWeek(arg string, now time.Time) string {
	return fmt.Sprintf("统计和台账按月、季度或年算，没有按周（「%s」）的。本月到今天的请发：统计 %d月；谁还没去请发：逾期。", arg, now.Month())
}

func replyPeriodBad(arg string) string {
	return fmt.Sprintf("「%s」没看懂。可以写 11月、2026-11、2026Q4、2026年第四季度 或 2026年。", arg)
}

func replyStatsFoot(slug string) string {
	return fmt.Sprintf("发送「导出 %s」领取台账，「统计图 %s」看图。", slug, slug)
}

func replyRankingEmpty(scope, period string) string {
	return fmt.Sprintf("%s %s 没有结对数据，暂不能排名。发送「统计」看数字。", scope, period)
}

func replyExportDone(scope, period string) string {
	return fmt.Sprintf("📎 %s %s 民情台账已生成，稍后以文件发给您（走访台账、干部汇总、单位汇总、诉求四张表，电话已隐去中间四位）。", scope, period)
}

func replyChartDone(scope, period string) string {
	return fmt.Sprintf("📈 %s %s 五类帮扶活动图稍后发给您。发送「统计」看具体数字。", scope, period)
}

func replyLeaveTooOld(days int) string {
	return fmt.Sprintf("只能补录 %d 天内开始的请假。请检查开始日期后重发。", days)
}

func replyLeaveEnded(name string) string {
	return fmt.Sprintf("已为 %s 销假：从今天起恢复提醒，逾期名单里不再标「请假中」。以后的请假（如有）不变。", name)
}

func replyLeaveEndNone(name string) string {
	return fmt.Sprintf("%s 今天不在请假中，没有改动。", name)
}

func replyLeaveDone(name, from, to string) string {
	return fmt.Sprintf("已记录 %s 请假 %s–%s。期间不再提醒他，逾期名单里会标注「请假中」。如需交接，请发送「接力 %s 新干部」。", name, from, to, name)
}

func replyPersonUnknown(code string) string {
	return fmt.Sprintf("没找到人员「%s」。干部写姓名或人员编号，户主写人员编号（花名册“人员”表，不是户编号），例如：绑定码 G01", code)
}

func replyPersonOutOfScope(code string) string {
	return fmt.Sprintf("人员「%s」不在您负责的单位范围内，无法生成绑定码。", code)
}

func replyBindCodeCLIOnly(code string) string {
	return fmt.Sprintf("人员「%s」是联络员、单位一把手或管理员，这类绑定码不能在聊天里生成，请联系系统管理员在服务器上用 qinqi bindcode 生成。", code)
}

// replyCadreHouseholds is a cadre's households as a coordinator sees them (查干部).
func replyCadreHouseholds(name, unit string, lines []string, onLeave bool) string {
	head := "👤 " + name
	if unit != "" {
		head += "（" + unit + "）"
	} else {
		head += " "
	}
	var b strings.Builder
	if len(lines) == 0 {
		b.WriteString(head + "目前没有结对户。")
	} else {
		fmt.Fprintf(&b, "%s结对 %d 户：\n%s", head, len(lines), strings.Join(lines, "\n"))
	}
	if onLeave {
		b.WriteString("\n今天在请假，期间不催。")
	}
	b.WriteString("\n本单位全部逾期发：逾期；明细见台账：导出。")
	return b.String()
}

func replyBindCode(name, code, expires string) string {
	return fmt.Sprintf("🔑 %s 的绑定码：%s（一次有效，%s 前使用）。请当面交给本人，让他给我发送「绑定 %s」。", name, code, expires, code)
}

// replyRelayConfirm asks before a relay, naming the households that would move (at most 20, then
// how many more) and apart those the new cadre already has.
func replyRelayConfirm(from, to string, moved, kept []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "请确认接力：把 %s 的 %d 户结对交给 %s", from, len(moved)+len(kept), to)
	if len(moved) > 0 {
		fmt.Fprintf(&b, "\n接手：%s", namesUpTo(moved, 20))
	}
	if len(kept) > 0 {
		fmt.Fprintf(&b, "\n原来就是 %s 的结对户：%s（%s 不再一同帮扶）", to, namesUpTo(kept, 20), from)
	}
	b.WriteString("\n原结对结束（原因：接力），走访记录和未办完的诉求都转过去，两位干部和各户都会收到通知，发出后不能撤回。回复数字：\n1. 确认接力\n2. 取消\n10分钟内回复有效。")
	return b.String()
}

// namesUpTo lists names with 、, at most n of them and then how many more.
func namesUpTo(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, "、")
	}
	return fmt.Sprintf("%s 等%d户", strings.Join(names[:n], "、"), len(names))
}

const (
	replyRelayCancelled = "已取消，接力没有执行，结对不变。"
	// replyRelayLeft is said before the reply to a message sent instead of answering the relay question.
	replyRelayLeft = "（刚才的接力没有执行，结对不变；要接力请重新发「接力 旧干部 新干部」。）"
	// replyRelayChanged is said before the relay question asked again: the households changed while
	// it waited.
	replyRelayChanged = "接力没有执行：问您之后结对户有了变化，请看下面新的名单再确认。"
	// replyRelayNotAsked: the question cannot be kept (the KV is down), so nothing is relayed unasked.
	replyRelayNotAsked = "系统暂时记不住确认问题，接力没有执行，结对不变。请过几分钟再发一次。"
)

func replyRelayNothing(name string) string {
	return fmt.Sprintf("%s 目前没有结对户，不需要接力。发送「逾期」查看结对情况。", name)
}

// replyRelayDone names the households relayed and, apart, those the new cadre already had.
func replyRelayDone(from, to string, moved, kept []string) string {
	s := fmt.Sprintf("🤝 已把 %s 的 %d 户结对交给 %s（%s），原来的走访记录都保留。", from, len(moved), to, strings.Join(moved, "、"))
	if len(kept) > 0 {
		s = fmt.Sprintf("🤝 已把 %s 的结对交给 %s：接力%d户（%s），%d户原已结对（%s），原来的走访记录都保留。",
			from, to, len(moved), strings.Join(moved, "、"), len(kept), strings.Join(kept, "、"))
	}
	return s + "已通知两位干部和各户。"
}

func replyRelayToOld(to string, n int) string {
	return fmt.Sprintf("您结对的 %d 户已接力交给 %s，感谢您的付出！原来的走访记录都保留。", n, to)
}

func replyRelayToNew(from string, moved, kept []string, requests int) string {
	s := fmt.Sprintf("您新接手 %s 结对的 %d 户：%s。", from, len(moved), strings.Join(moved, "、"))
	if len(kept) > 0 {
		s += fmt.Sprintf("%s 原来就是您的结对户，%s 不再同您一起帮扶。", strings.Join(kept, "、"), from)
	}
	if requests > 0 {
		s += fmt.Sprintf("另有 %d 件未办完的诉求转给了您，发「待办」查看。", requests)
	}
	return s + "发送「我的亲戚」查看名单和上次联系时间，尽快联系一次吧。"
}

func replyRelayToHousehold(card string) string {
	return "您家的结对干部换人了（接力帮扶），以后由这位干部联系您，原来的记录和诉求都转交给了他：\n" + card +
		"\n有事发“诉求 …”或直接发语音。"
}

// replyRelayToHouseholdKept tells a household with two cadres that one of them handed over to the
// other, who stays.
func replyRelayToHouseholdKept(card string) string {
	return "您家的两位结对干部之一不再帮扶您家了（接力帮扶），以后由这位干部联系您，原来的记录和诉求都转交给了他：\n" + card +
		"\n有事发“诉求 …”或直接发语音。"
}

func replyCampaignsHead(scope string) string { return fmt.Sprintf("📅 %s 走访活动", scope) }

func replyCampaignOpen(name, days string, left int, done, total int64) string {
	return fmt.Sprintf("进行中：%s（%s，还剩 %d 天），已走到 %d / %d 对结对", name, days, left, done, total)
}

func replyCampaignNext(name, days string) string {
	return fmt.Sprintf("下一个：%s（%s）", name, days)
}

// Spot-check call-back (handlers/spotcheck.go) and visit confirmation (handlers/confirm.go).
const (
	replySpotThanks    = "谢谢您的回复，已记录。有事随时发「诉求」加上您要说的事，或发「菜单」。"
	replyConfirmThanks = "谢谢您的确认，已记录。有事随时发「诉求」加上您要说的事，或发「菜单」。"
	replyDiscAskNote   = "如果方便，请再发一句哪里不一样，例如：只送了化肥，没有钱。不说也没关系。"
	replyDiscNoted     = "收到，已补充给联络员。谢谢您！"
)

func replyDiscThanks(id domain.DiscID) string {
	return fmt.Sprintf("谢谢您告诉我们，已记录（编号%d）。单位联络员会核实，不用您再跑腿。", id)
}

func replyConfirmExpired(asked time.Time, within time.Duration) string {
	return fmt.Sprintf("%d月%d日问您的那次走访已过了%d天，不用再回复了，谢谢您。以后有新的走访还会再问您。",
		asked.Month(), asked.Day(), int(within.Hours()/24))
}

// A voice message while a confirmation or call-back question waits (handlers/confirm_voice.go).
const replyAskedVoicePassed = "您的语音已转给单位联络员（不会转给干部），他们会听。还要请您回答刚才的问题："

func replyAskedVoiceNobody(office string) string {
	call := "请拨打镇政府或单位的办公电话说。"
	if office != "" {
		call = "请打单位办公电话说：" + office + "。"
	}
	return "您的语音暂时没有单位联络员可以接收，没有转出去（也不会转给干部）。要反映事情，" + call + "还要请您回答刚才的问题："
}

// replySpotAgain is the call-back question asked again.
func replySpotAgain(month time.Time, cadre string) string {
	return fmt.Sprintf("%d月份，帮扶干部%s是否联系或走访过您？回复 1 是 / 2 否", month.Month(), cadre)
}

// replySpotLine is the call-back question as a coordinator reads it.
func replySpotLine(month time.Time, cadre string) string {
	return fmt.Sprintf("%d月份的回访：帮扶干部%s是否联系或走访过他", month.Month(), cadre)
}

// noteAskedVoice passes a household's voice message to the coordinators, with the question it came under.
func noteAskedVoice(hh store.Household, line, heard, hint string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【户主语音】%s户（%s）发来一段语音，当时正在等他回答%s。", hh.HeadName, hh.Code, line)
	if heard != "" {
		fmt.Fprintf(&b, "平台识别的文字：“%s”（可能有误，以录音为准）。", clipText(pii.Mask(heard), 100))
	} else {
		b.WriteString("平台没有识别出文字。")
	}
	b.WriteString("这段语音没有转给干部；已请户主再用 1 是 2 没有来 3 有出入 回答。")
	return b.String() + hint
}

// replySpotMonthLine is what a discrepancy about a whole month disputes.
func replySpotMonthLine(month time.Time, logged int) string {
	return fmt.Sprintf("%d月份系统里记有%d次联系或走访", month.Month(), logged)
}

// noteDiscNew tells a coordinator about a new discrepancy; the cadre is not told until it is closed.
func noteDiscNew(d store.Discrepancy, hh store.Household, cadre string, lines []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【待核实#%d】%s户（%s）对干部%s报的以下内容回复“%s”", d.ID, hh.HeadName, hh.Code, cadre, d.Answer.Label())
	if d.Source == domain.DiscFromCallback {
		b.WriteString("（电话回访）")
	}
	b.WriteString("：\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "· %s\n", l)
	}
	if d.Note != "" {
		fmt.Fprintf(&b, "户主说：%s\n", pii.Mask(d.Note))
	}
	fmt.Fprintf(&b, "请核实后发：核实 %d 属实 说明（户主说的对，记录不实）或 核实 %d 有误 说明（记录无误）。核实前不会告诉干部。", d.ID, d.ID)
	return b.String()
}

// 回访清单 and 回访 (handlers/callback.go).
const replyCallbackHelp = "打完电话请发：回访 户编号 1|2|3 说明（1 是　2 没有来　3 有出入），例如：回访 H001 3 米只有5斤"

func replyCallbackMonthBad(arg string) string {
	return fmt.Sprintf("“%s”不是一个已经开始的月份。请写 11月 或 2026-11。", arg)
}

func replyCallbackEmpty(scope, month string) string {
	return fmt.Sprintf("%s %s 没有需要电话回访的户：抽到的户都用微信，或走访都已确认。", scope, monthLabel(month))
}

func replyCallbackListDone(scope, month string, rows []store.CallbackRow) string {
	sampled, visits := 0, 0
	for _, r := range rows {
		if r.Sampled() {
			sampled++
		}
		if len(r.Visits) > 0 {
			visits++
		}
	}
	return fmt.Sprintf("%s %s 回访清单：%d 户（抽查 %d 户，走访待确认 %d 户），见附件。清单含完整电话，只用于回访，请勿转发；取用已记录。\n%s",
		scope, monthLabel(month), len(rows), sampled, visits, replyCallbackHelp)
}

func replyCallbackNoHousehold(code string) string {
	return fmt.Sprintf("没有户编号为 %s 的户，请对照回访清单上的户编号。", code)
}

func replyCallbackOutOfScope(hh store.Household) string {
	return fmt.Sprintf("%s（%s）不是您负责的单位的结对户，不能由您记录回访。", hh.Code, hh.HeadName)
}

func replyCallbackNotOnList(hh store.Household, month string, onChat bool) string {
	if onChat {
		return fmt.Sprintf("%s（%s）不在%s的回访清单上：户主用微信，已在微信里直接询问。", hh.Code, hh.HeadName, monthLabel(month))
	}
	return fmt.Sprintf("%s（%s）不在%s的回访清单上：没有抽到，也没有待确认的走访。发「回访清单」看名单。", hh.Code, hh.HeadName, monthLabel(month))
}

// replyCallbackDone answers a second 回访 for a household already called back about month.
func replyCallbackDone(hh store.Household, month string, done store.CallbackDone, byCaller bool) string {
	who := done.ByName
	if byCaller {
		who = "您"
	}
	return fmt.Sprintf("%s（%s）%s的回访已经记录过：%s由%s记录“%s”，不用再打。",
		hh.Code, hh.HeadName, monthLabel(month), done.At.Format("1月2日15:04"), who, done.Answer.Label())
}

func replyCallbackSaved(hh store.Household, ans domain.SpotAnswer, discs []store.Discrepancy) string {
	s := fmt.Sprintf("已记录回访：%s户（%s）“%s”。", hh.HeadName, hh.Code, ans.Label())
	for _, d := range discs {
		s += fmt.Sprintf("\n发现异议 编号%d；核实后发：核实 %d 属实 说明 或 核实 %d 有误 说明。", d.ID, d.ID, d.ID)
	}
	return s
}

// monthLabel turns "2026-11" into "2026年11月".
func monthLabel(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return fmt.Sprintf("%d年%d月", t.Year(), t.Month())
}

// 核实 (handlers/verify.go).
const replyVerifyHelp = "核实后请发：核实 编号 属实 说明（户主说的对，记录不实）或 核实 编号 有误 说明（户主记错了，记录无误），例如：核实 12 有误 电话问过，是老人记混了日子"

func replyDiscUnknown(id domain.DiscID) string {
	return fmt.Sprintf("没有编号%d的异议。发「核实」看待核实的名单。", id)
}

func replyDiscOutOfScope(id domain.DiscID) string {
	return fmt.Sprintf("编号%d的异议不在您负责的单位，不能由您核实。请转给该单位的联络员。", id)
}

func replyDiscClosedAlready(d store.Discrepancy) string {
	when := ""
	if d.ClosedAt != nil {
		when = fmt.Sprintf("%d月%d日", d.ClosedAt.Month(), d.ClosedAt.Day())
	}
	return fmt.Sprintf("编号%d的异议已于%s核实过（%s），不再改动。", d.ID, when, d.Verdict.Label())
}

func replyDiscClosed(d store.Discrepancy, cadre string) string {
	return fmt.Sprintf("已记录核实结果：编号%d %s。已告诉干部%s。", d.ID, d.Verdict.Label(), cadre)
}

func replyDiscMonth(month string) string {
	m := strings.TrimLeft(month[min(5, len(month)):], "0")
	return m + "月份的联系和走访"
}

func replyNoOpenDiscs(scope string) string {
	return fmt.Sprintf("%s 现在没有待核实的户主异议。", scope)
}

func replyOpenDiscsHead(scope string, n int64) string {
	return fmt.Sprintf("%s 待核实的户主异议 %d 件（先发现的在前）：", scope, n)
}

func replyOpenDiscLine(d store.Discrepancy, hh store.Household, cadre string, disputed []string) string {
	l := fmt.Sprintf("#%d %s户（%s）· 干部%s · %s：%s", d.ID, hh.HeadName, hh.Code, cadre, strings.Join(disputed, "；"), d.Answer.Label())
	if d.Note != "" {
		l += "（户主说：" + pii.Mask(d.Note) + "）"
	}
	return l
}

// noteDiscClosed is what the cadre learns, and only once the coordinator has verified.
func noteDiscClosed(d store.Discrepancy, household, coordinator string, disputed []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【核实结果#%d】您报的%s户：%s。户主回复“%s”，单位联络员%s已核实：", d.ID, household, strings.Join(disputed, "；"),
		d.Answer.Label(), coordinator)
	if d.Verdict == domain.VerdictUpheld {
		b.WriteString("户主反映属实，这条记录与实际不符。")
	} else {
		b.WriteString("户主反映有误，记录无误。")
	}
	if d.Finding != "" {
		fmt.Fprintf(&b, "说明：%s。", pii.Mask(d.Finding))
	}
	b.WriteString("有不同看法请直接找联络员当面说。")
	return b.String()
}

func noteDiscAdded(d store.Discrepancy, hh store.Household) string {
	return fmt.Sprintf("【待核实#%d 补充】%s户（%s）补充说：%s", d.ID, hh.HeadName, hh.Code, pii.Mask(d.Note))
}

// noteLostReply tells a coordinator that a cadre never got the answer to a report: whether the
// report is saved, what to tell the cadre on the phone, and how to rebind a changed WeChat.
func noteLostReply(name, code string, at time.Time, question bool) string {
	head := fmt.Sprintf("【干部没收到回复】%s（%s）%s发来的帮扶记录，", name, code, at.Format("1月2日15:04"))
	tail := fmt.Sprintf("如果他换了微信或删了机器人好友，请当面给他新的绑定码（发“绑定码 %s”）。", code)
	if question {
		return head + "系统要先问他是哪一户才能保存，但这个问题没能发到他那里，所以这条还没有保存。" +
			"请打电话请他重发一次，写上户主姓名或序号，例如“走访 1 送米”。" + tail
	}
	return head + "已经保存，但回复他的“已记录”没能发到他那里。请打电话告诉他：记录已保存，不用重发。" + tail
}

// ---- a household takes back what it sent (request_withdraw.go) ---------------------------------

// takeBackQuote is the start of a matter's words as the household is reminded of them.
func takeBackQuote(q store.Request) string {
	text := pii.Mask(strings.TrimSpace(q.Text))
	if q.Kind == domain.ReqVoice || text == "" {
		return ""
	}
	if len([]rune(text)) > 16 {
		return "“" + clipText(text, 16) + "…”"
	}
	return "“" + text + "”"
}

// takeBackWhere says where a matter is: with the unit for a complaint or a request passed on, with
// the cadre (who) otherwise.
func takeBackWhere(q store.Request, who string) string {
	switch {
	case q.Kind == domain.ReqComplaint:
		return "已交给单位"
	case q.Status == domain.StatusTransferred:
		return "已转到单位办理"
	case who == "":
		return "已登记"
	}
	return "已交给" + who
}

// replyTakeBackAsk asks what should become of a matter; the digits mean what they meant when it
// was filed: 1 the cadre, 2 nothing, 3 the unit.
func replyTakeBackAsk(q store.Request, who string) string {
	head := fmt.Sprintf("您的%s%s%s。", takeBackLabel(q), takeBackQuote(q), takeBackWhere(q, who))
	if q.Kind == domain.ReqComplaint {
		return head + "\n回复 1 改交给帮扶干部办理；回复 2 撤回，不办了；回复 3 不变，还交给单位。"
	}
	keep := "回复 1 不变"
	if who != "" && q.Status != domain.StatusTransferred {
		keep += "，还交给" + who + "办"
	}
	return head + "\n" + keep + "；回复 2 撤回，不办了。\n要反映干部的问题，请发“投诉”加上您的话，交给单位（干部看不到）。"
}

func replyTakeBackNoSuch(id int64) string {
	return fmt.Sprintf("没有找到您的%d号。发“我的诉求”看您反映过的事和编号。", id)
}

func replyTakeBackNothing(window time.Duration) string {
	return fmt.Sprintf("您最近%d分钟没有提过还没办的事，没有要撤回的。要撤回更早的，请发“撤回 编号”；发“我的诉求”看您反映过的事和编号。", int(window.Minutes()))
}

const replyTakeBackNoState = "现在没法办撤回，请过几分钟再发一次，或直接打电话告诉经办的人。"

const replyRerouteNoCadre = "您暂时没有结对干部，投诉没有改交，还由单位处理。有事也可以拨打村委会或镇政府电话。"

// replyTakeBackTooLate says why a matter can no longer be taken back here and whom to tell: the
// cadre by name for a request, the unit for a complaint (never the cadre).
func replyTakeBackTooLate(q store.Request, who string) string {
	label, complaint := takeBackLabel(q), q.Kind == domain.ReqComplaint
	if who == "" {
		who = "经办的人"
	}
	switch {
	case q.Status == domain.StatusWithdrawn:
		return label + "您已经撤回了，不会再办。"
	case q.Status == domain.StatusResolved && complaint:
		return label + "单位已经处理完了。有话请直接打电话告诉单位负责人（单位办公电话见“我的干部”）。"
	case q.Status == domain.StatusResolved:
		return label + "已经办好了。有问题请直接找" + who + "。"
	case complaint:
		return label + "单位已经受理，正在处理，这里撤不回了。有变化请直接打电话告诉单位负责人（单位办公电话见“我的干部”）。"
	}
	return label + who + "已经受理，正在办，这里撤不回了。不用办了或要改，请直接告诉" + who + "（发“我的干部”看电话）。"
}

func replyTakeBackKept(q store.Request, who string) string {
	switch {
	case q.Kind == domain.ReqComplaint:
		return "好的，" + takeBackLabel(q) + "不变，还由单位处理。"
	case who != "":
		return "好的，" + takeBackLabel(q) + "不变，还由" + who + "办。"
	}
	return "好的，" + takeBackLabel(q) + "不变。"
}

// replyWithdrawn confirms a withdrawal; told says whether anyone was told not to act on it.
func replyWithdrawn(q store.Request, who string, told bool) string {
	s := "好的，" + takeBackLabel(q) + "已撤回，不办了。"
	switch {
	case !told:
	case q.Kind == domain.ReqComplaint:
		s += "已告诉单位负责人不用处理。"
	case who != "":
		s += "已告诉" + who + "不用办了。"
	default:
		s += "已告诉经办的人不用办了。"
	}
	return s
}

func replyRerouted(q store.Request, cadre string, ack time.Duration) string {
	return fmt.Sprintf("好的，已改为诉求（编号%d），交给%s办理，%s内会回复您；单位那边已告诉不用处理。办好了会通知您。", q.ID, cadre, hoursLabel(ack))
}

// noteWithdrawn tells whoever was sent a matter that the household withdrew it, so nobody goes out
// for nothing.
func noteWithdrawn(q store.Request, hh string) string {
	what, act := "诉求", "办"
	if q.Kind == domain.ReqComplaint {
		what, act = "投诉", "处理"
	}
	text := maskedClip(q.Text)
	if q.Kind == domain.ReqVoice || text == "" {
		text = "语音留言"
	}
	return fmt.Sprintf("【撤回#%d】%s撤回了%s#%d（%s提出）：%s\n不用再%s了。", q.ID, hh, what, q.ID, q.CreatedAt.Format("1月2日15:04"), text, act)
}

// noteRerouted tells the unit that a complaint was meant for the cadre and is now theirs.
func noteRerouted(q store.Request, hh, cadre string) string {
	return fmt.Sprintf("【投诉改诉求#%d】%s说投诉#%d是按错了，已改为诉求，交给帮扶干部%s办理（限%s前办结）。单位不用再按投诉处理。",
		q.ID, hh, q.ID, cadre, q.DueAt.Format("1月2日"))
}

// takeBackLabel names a matter for the household: 投诉#3, 诉求#3, 语音留言#3.
func takeBackLabel(q store.Request) string {
	id := strconv.FormatInt(int64(q.ID), 10)
	switch q.Kind {
	case domain.ReqComplaint:
		return "投诉#" + id
	case domain.ReqVoice:
		return "语音留言#" + id
	}
	return "诉求#" + id
}

// replyVisitReported is one visit a confirmation asks about, in the coordinators' note on a voice
// message: "陈建国报的12月7日 走访（化肥3包）".
func replyVisitReported(cadre, visit string) string { return cadre + "报的" + visit }

// replyConfirmLine is the question that was open when the voice message came.
func replyConfirmLine(visits []string) string {
	return "走访确认：" + strings.Join(visits, "；") + "，是否属实"
}
