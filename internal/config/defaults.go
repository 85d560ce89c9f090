package config

import "time"

// Defaults is the embedded default: SQLite in the working directory, in-process Redis, and the
// programme rules from the design brief.
func Defaults() Config {
	return Config{
		Database: Database{Driver: "sqlite", Path: "qinqi.db", MaxOpen: 20},
		Redis:    Redis{Prefix: "qinqi:"},
		Log:      Log{Level: "info", Format: "text"},
		WeChat: WeChat{
			WatchdogSilence: 3 * time.Minute,
			ReconnectMin:    5 * time.Second,
			ReconnectMax:    10 * time.Minute,
		},
		WeCom: WeCom{Name: "wecom", APIBase: "https://qyapi.weixin.qq.com",
			Limits: ChannelLimits{Every: 200 * time.Millisecond, Burst: 20, MemberEvery: 4 * time.Second, MemberBurst: 10}},
		MP: MP{Name: "mp", APIBase: "https://api.weixin.qq.com", HoldMax: 72 * time.Hour,
			Limits: ChannelLimits{Every: 200 * time.Millisecond, Burst: 20, MemberEvery: 4 * time.Second, MemberBurst: 10}},
		Channels: Channels{Prefer: []string{"wecom", "mp", "wechat"}},
		HTTP:     HTTP{Listen: "127.0.0.1:8080"},
		Inbox:    Inbox{SpoolDir: "data/spool", SameTextWindow: 3 * time.Second, Workers: 0, MaxTries: 3},
		Outbox: Outbox{
			Every: 3 * time.Second, Burst: 3, Jitter: 2 * time.Second, DailyCap: 3000,
			QuietStart: "21:00", QuietEnd: "08:00", MaxAttempts: 8,
			RetryMin: 10 * time.Second, RetryMax: 30 * time.Minute, LoopGuard: 20, FileDir: "data/files",
			FileRetention: 7 * 24 * time.Hour,
		},
		Bind: Bind{CodeTTL: 7 * 24 * time.Hour, MaxTriesPerHour: 5},
		CheckIn: CheckIn{MaxDaysBack: 60, UndoWindow: 10 * time.Minute, AttachWindow: 30 * time.Minute, FarMeters: 2000, DialogTTL: 10 * time.Minute,
			HouseholdDialogTTL: 2 * time.Hour},
		Requests: Requests{AckWithin: 24 * time.Hour, ResolveWithin: 7 * 24 * time.Hour},
		Frequency: Frequency{
			Default: []Rule{
				{Period: "month", Count: 1},
				{Period: "quarter", Count: 1, Kinds: []string{"visit"}},
			},
			ByTag: map[string][]Rule{
				"监测户": {
					{Period: "month", Count: 2},
					{Period: "quarter", Count: 1, Kinds: []string{"visit"}},
				},
			},
		},
		Windows: Windows{
			NewYear:       WindowSpec{From: "12-25", To: "01-03"},
			SpringFest:    WindowSpec{From: "L12-15", To: "L01-15"},
			DragonBoat:    WindowSpec{DaysBefore: 7},
			MidAutumn:     WindowSpec{DaysBefore: 7},
			SpringSowing:  WindowSpec{From: "清明", To: "立夏"},
			AutumnHarvest: WindowSpec{From: "白露", To: "霜降"},
			WinterDrive:   WindowSpec{From: "11-01", To: "02-end"},
		},
		Reminders:  Reminders{SendAt: "09:00", Halfway: true, LastDay: true, MonthlyBudget: 8},
		Escalation: Escalation{CoordinatorAfterDays: 3, HeadAfterDays: 7, ScanAt: "08:30"},
		SpotCheck:  SpotCheck{Percent: 10, Day: 1, RemindAfter: 72 * time.Hour},
		Confirm:    Confirm{MinDays: 7, AnswerWithin: 14 * 24 * time.Hour, Kinds: []string{"visit", "warmth", "deed"}},
		Ranking:    Ranking{Coverage: 0.3, Confirmed: 0.25, Closed: 0.15, OnTime: 0.15, Satisfaction: 0.15},
		Contact:    Contact{Promise: "有事随时找我，24小时内回复"},
		Scheduler:  Scheduler{JobTimeout: 10 * time.Minute},
	}
}
