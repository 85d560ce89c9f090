package store

import (
	"time"

	"qinqi/internal/domain"
)

// The models below are the whole schema. Every string has a size so MySQL makes varchar, not longtext,
// and every time is written in Asia/Shanghai (see Store.norm) so SQLite's text comparison stays correct.
// Dates without a time of day (pairing start, leave) are stored as midnight Asia/Shanghai.

// Region is a node of the county → township → village tree.
type Region struct {
	ID        domain.RegionID    `gorm:"primaryKey"`
	Code      string             `gorm:"size:32;not null;uniqueIndex"`
	Name      string             `gorm:"size:64;not null"`
	Level     domain.RegionLevel `gorm:"size:16;not null"`
	ParentID  *domain.RegionID   `gorm:"index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Unit is an office or party organisation that sends cadres; units form a tree.
type Unit struct {
	ID          domain.UnitID    `gorm:"primaryKey"`
	Code        string           `gorm:"size:32;not null;uniqueIndex"`
	Name        string           `gorm:"size:128;not null"`
	ParentID    *domain.UnitID   `gorm:"index"`
	HeadID      *domain.PersonID // 一把手
	HeadCode    string           `gorm:"size:32"` // person code of the head as imported; resolved to HeadID once that person exists
	OfficePhone string           `gorm:"size:32"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Person is anyone who talks to the bot: a household member, a cadre, a coordinator, an admin.
type Person struct {
	ID          domain.PersonID     `gorm:"primaryKey"`
	Code        string              `gorm:"size:32;not null;uniqueIndex"`
	Name        string              `gorm:"size:64;not null"`
	Initials    string              `gorm:"size:32;index"` // pinyin initials of Name, for "wcf" lookups
	Phone       string              `gorm:"size:20"`       // full number; only MaskPhone(Phone) is ever shown in chat
	IDNumber    string              `gorm:"size:20"`       // optional 身份证号; never shown
	Roles       domain.Roles        `gorm:"size:64;not null"`
	UnitID      *domain.UnitID      `gorm:"index"` // cadres, coordinators, heads
	HouseholdID *domain.HouseholdID `gorm:"index"` // household members
	Title       string              `gorm:"size:64"`
	Promise     string              `gorm:"size:255"` // 服务承诺 shown on the contact card
	Account     string              `gorm:"size:64"`  // the bot account that reaches them: where they bound or last wrote
	// WecomUserID is the person's WeCom / 政务微信 userid from the people sheet (企业微信账号): the
	// WeCom channel recognises them by it without a bind code.
	WecomUserID string `gorm:"size:64;index"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Household is a paired family (帮扶户, the "relatives").
type Household struct {
	ID        domain.HouseholdID `gorm:"primaryKey"`
	Code      string             `gorm:"size:32;not null;uniqueIndex"`
	HeadName  string             `gorm:"size:64;not null"`
	Initials  string             `gorm:"size:32;index"`
	HeadID    *domain.PersonID   // the head's Person row, when the head uses the bot
	RegionID  *domain.RegionID   `gorm:"index"`
	Address   string             `gorm:"size:255"`
	Lat       *float64
	Lng       *float64
	Tags      domain.Tags `gorm:"size:255"`
	Members   int
	Difficult bool // 重点困难户: flagged for closer attention
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Program is a pairing programme (cadres↔poor households, teachers↔left-behind children …).
type Program struct {
	ID        domain.ProgramID `gorm:"primaryKey"`
	Code      string           `gorm:"size:32;not null;uniqueIndex"`
	Name      string           `gorm:"size:128;not null"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Pairing links one cadre to one household for a period; a relay ends one pairing and starts another.
type Pairing struct {
	ID            domain.PairingID   `gorm:"primaryKey"`
	Code          string             `gorm:"size:48;not null;uniqueIndex"` // import key; generated for relays
	CadreID       domain.PersonID    `gorm:"not null;index:idx_pairing_cadre,priority:1"`
	HouseholdID   domain.HouseholdID `gorm:"not null;index:idx_pairing_household,priority:1"`
	ProgramID     *domain.ProgramID
	StartOn       time.Time  `gorm:"not null"`
	EndOn         *time.Time `gorm:"index:idx_pairing_cadre,priority:2;index:idx_pairing_household,priority:2"`
	EndReason     string     `gorm:"size:64"`
	RelayedFromID *domain.PairingID
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Active reports whether the pairing is in force at t.
func (p Pairing) Active(t time.Time) bool {
	return !p.StartOn.After(t) && (p.EndOn == nil || p.EndOn.After(t))
}

// CheckIn is one diary entry (民情日记): a contact, visit, policy talk, warmth delivery or practical deed.
type CheckIn struct {
	ID domain.CheckInID `gorm:"primaryKey"`
	// idx_checkin_scan covers the scheduler's per-pairing scans (kind and undone_at included), so the
	// daily overdue scan reads the index alone, never the rows.
	PairingID   domain.PairingID   `gorm:"not null;index:idx_checkin_scan,priority:1"`
	CadreID     domain.PersonID    `gorm:"not null;index:idx_checkin_cadre,priority:1"`
	HouseholdID domain.HouseholdID `gorm:"not null;index:idx_checkin_household,priority:1"`
	Kind        domain.CheckInKind `gorm:"size:16;not null;index:idx_checkin_scan,priority:3"`
	Mode        domain.ContactMode `gorm:"size:16"`
	OccurredAt  time.Time          `gorm:"not null;index:idx_checkin_scan,priority:2;index:idx_checkin_cadre,priority:2;index:idx_checkin_household,priority:2;index"`
	ReportedAt  time.Time          `gorm:"not null"`
	Place       string             `gorm:"size:128"`
	Text        string             `gorm:"size:2000"`
	Items       string             `gorm:"size:500"` // goods as "化肥×3包;米×20斤"
	ValueFen    int64
	// SalesItems and SalesFen are sales help (帮销): produce sold for the household and what it
	// fetched. They are not aid and are counted apart from Items and ValueFen.
	SalesItems  string `gorm:"size:500"`
	SalesFen    int64
	Lat         *float64
	Lng         *float64
	DistanceM   *int    // to the household's registered location, when both are known
	Far         bool    // DistanceM over the configured threshold; flagged, never refused
	PhotoRef    string  `gorm:"size:255"`
	SourceMsgID *string `gorm:"size:96;uniqueIndex"` // transport:account:msgid; one check-in per message
	// ContentKey names what a chat report says (handlers.reportKey), unique while the report stands
	// (undo clears it): the same report sent again from a new message is not recorded twice.
	// Imported rows have none.
	ContentKey *string    `gorm:"size:40;uniqueIndex"`
	UndoneAt   *time.Time `gorm:"index:idx_checkin_scan,priority:4"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// WorkPlan is a cadre's monthly plan (计划).
type WorkPlan struct {
	ID        int64           `gorm:"primaryKey"`
	CadreID   domain.PersonID `gorm:"not null;uniqueIndex:idx_plan_month,priority:1"`
	Month     string          `gorm:"size:7;not null;uniqueIndex:idx_plan_month,priority:2"` // 2026-11
	Text      string          `gorm:"size:2000"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Request is a household's request (诉求), complaint (投诉) or voice note.
type Request struct {
	ID           domain.RequestID   `gorm:"primaryKey"`
	HouseholdID  domain.HouseholdID `gorm:"not null;index"`
	PersonID     domain.PersonID    `gorm:"not null"` // who sent it
	PairingID    *domain.PairingID
	Kind         domain.RequestKind     `gorm:"size:16;not null"`
	Category     domain.RequestCategory `gorm:"size:16;not null"`
	Text         string                 `gorm:"size:2000"`
	MediaRef     string                 `gorm:"size:255"`
	Status       domain.RequestStatus   `gorm:"size:16;not null;index:idx_request_status,priority:1"`
	AssigneeID   *domain.PersonID       `gorm:"index"`
	UnitID       *domain.UnitID         `gorm:"index"`
	AckDueAt     time.Time
	DueAt        time.Time `gorm:"index:idx_request_status,priority:2"`
	AcceptedAt   *time.Time
	ResolvedAt   *time.Time
	Result       string `gorm:"size:1000"`
	TransferNote string `gorm:"size:500"`
	Rating       *int
	RatingText   string  `gorm:"size:500"`
	SourceMsgID  *string `gorm:"size:96;uniqueIndex"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Rating is a household's 1–5 rating of the help, with or without a request.
type Rating struct {
	ID          int64              `gorm:"primaryKey"`
	HouseholdID domain.HouseholdID `gorm:"not null;index"`
	CadreID     *domain.PersonID   `gorm:"index"`
	RequestID   *domain.RequestID
	Score       int    `gorm:"not null"`
	Text        string `gorm:"size:500"`
	CreatedAt   time.Time
}

// Campaign is a visit window (festival, harvest, winter drive or a custom campaign) for one year.
type Campaign struct {
	ID        domain.CampaignID   `gorm:"primaryKey"`
	Code      string              `gorm:"size:48;not null;uniqueIndex"` // e.g. 2026-chunjie
	Name      string              `gorm:"size:64;not null"`
	Kind      domain.CampaignKind `gorm:"size:16;not null"`
	StartOn   time.Time           `gorm:"not null;index"`
	EndOn     time.Time           `gorm:"not null"` // inclusive last day
	Required  bool
	Tags      domain.Tags `gorm:"size:255"` // empty: all households
	Programs  string      `gorm:"size:255"` // program codes, comma-separated; empty: all
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Reminder records that one reminder stage was planned for one pairing and window; Key makes it unique.
type Reminder struct {
	ID         int64              `gorm:"primaryKey"`
	Key        string             `gorm:"size:128;not null;uniqueIndex"` // campaign:pairing:stage
	PairingID  domain.PairingID   `gorm:"not null;index"`
	CampaignID *domain.CampaignID `gorm:"index"`
	CadreID    domain.PersonID    `gorm:"not null"`
	Stage      string             `gorm:"size:16;not null"` // open, half, last
	OutboxID   *domain.OutboxID
	CreatedAt  time.Time
}

// Alert is one step of the overdue escalation ladder for one pairing; Key makes it unique. An alert
// is open until the overdue spell it belongs to ends (ResolvedAt).
type Alert struct {
	ID           domain.AlertID    `gorm:"primaryKey"`
	Key          string            `gorm:"size:128;not null;uniqueIndex"` // overdue:pairing:since:level
	Level        domain.AlertLevel `gorm:"size:16;not null"`
	PairingID    domain.PairingID  `gorm:"not null;index"`
	CampaignID   *domain.CampaignID
	RecipientID  domain.PersonID `gorm:"not null;index"`
	Reason       string          `gorm:"size:255"`
	OverdueSince time.Time
	OutboxID     *domain.OutboxID
	CreatedAt    time.Time
	ResolvedAt   *time.Time `gorm:"index"`
}

// SpotCheck is one household sampled for a call-back in one month.
type SpotCheck struct {
	ID           domain.SpotCheckID `gorm:"primaryKey"`
	Month        string             `gorm:"size:7;not null;uniqueIndex:idx_spot_month,priority:1"`
	HouseholdID  domain.HouseholdID `gorm:"not null;uniqueIndex:idx_spot_month,priority:2"`
	PairingID    domain.PairingID   `gorm:"not null"`
	CadreID      domain.PersonID    `gorm:"not null"`
	Seed         int64              // fingerprint of the secret that drew the sample (scheduler.SecretID), never the secret
	AskedAt      *time.Time
	RemindedAt   *time.Time
	Answer       domain.SpotAnswer `gorm:"size:8"`
	AnsweredAt   *time.Time
	LoggedVisits int              // check-ins the cadre logged for the month when the answer came
	Discrepancy  bool             `gorm:"index"`
	AnsweredBy   *domain.PersonID // the coordinator who recorded a phone call-back (回访); nil for a chat answer
	Note         string           `gorm:"size:500"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Setting is one deployment-wide value qinqi generates itself (the spot-check secret). It lives in
// the database, never in the configuration.
type Setting struct {
	ID        int64  `gorm:"primaryKey"`
	Key       string `gorm:"size:64;not null;uniqueIndex"`
	Value     string `gorm:"size:255;not null"`
	CreatedAt time.Time
}

// DirectoryGeneration is one row (ID 1) whose N grows with every committed write to people,
// households, pairings or chat identities (see dirwatch.go): the in-process caches of who a sender is
// and which households a cadre has are valid while it stands still.
type DirectoryGeneration struct {
	ID uint8 `gorm:"primaryKey;autoIncrement:false"`
	N  int64 `gorm:"not null"`
}

// VisitConfirm is one question to a household about the visits reported for it ("李建文说12月5日来
// 家里看望了您…是这样吗？"), or one answer a coordinator got by phone (回访). Its items are the
// check-ins it covers; a check-in is covered at most once.
type VisitConfirm struct {
	ID          domain.ConfirmID   `gorm:"primaryKey"`
	HouseholdID domain.HouseholdID `gorm:"not null;index:idx_confirm_household,priority:1"`
	AskedTo     *domain.PersonID   // the head asked in chat; nil for a phone call-back
	Via         string             `gorm:"size:8;not null"` // chat | phone
	AskedAt     time.Time          `gorm:"not null;index:idx_confirm_household,priority:2"`
	Answer      domain.SpotAnswer  `gorm:"size:8"`
	AnsweredAt  *time.Time
	AnsweredBy  *domain.PersonID // the coordinator who recorded a call-back
	Note        string           `gorm:"size:500"` // the household's words, when they added any
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ConfirmItem links a check-in to the one question (or call-back) that covered it.
type ConfirmItem struct {
	ID        int64            `gorm:"primaryKey"`
	ConfirmID domain.ConfirmID `gorm:"not null;index"`
	CheckInID domain.CheckInID `gorm:"not null;uniqueIndex"`
}

// Discrepancy is a household's "没有来" or "有出入" about a cadre's reports, for the unit coordinator
// to verify (核实). The cadre is not told until it is closed.
type Discrepancy struct {
	ID          domain.DiscID      `gorm:"primaryKey"`
	HouseholdID domain.HouseholdID `gorm:"not null;index"`
	CadreID     domain.PersonID    `gorm:"not null;index"`
	UnitID      *domain.UnitID     `gorm:"index:idx_disc_unit,priority:1"` // the cadre's unit when it was found
	Source      string             `gorm:"size:8;not null"`                // confirm | callback | spot
	ConfirmID   *domain.ConfirmID  `gorm:"index"`
	SpotCheckID *domain.SpotCheckID
	Month       string            `gorm:"size:7;not null"` // month of the disputed reports
	Answer      domain.SpotAnswer `gorm:"size:8;not null"`
	Note        string            `gorm:"size:500"`
	OpenedAt    time.Time         `gorm:"not null;index:idx_disc_unit,priority:2"`
	ClosedAt    *time.Time
	ClosedBy    *domain.PersonID
	Verdict     domain.Verdict `gorm:"size:8"`
	Finding     string         `gorm:"size:500"` // the coordinator's note
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Leave marks a cadre as away; they are not nagged and their households are flagged to the coordinator.
type Leave struct {
	ID        int64           `gorm:"primaryKey"`
	PersonID  domain.PersonID `gorm:"not null;index"`
	FromOn    time.Time       `gorm:"not null"`
	ToOn      time.Time       `gorm:"not null"` // inclusive
	Reason    string          `gorm:"size:128"`
	CreatedAt time.Time
}

// ChatIdentity maps a transport's current user key to a person. WeChat keys change at each login,
// so rows for the wechat transport are rewritten after every login from remark names and bindings.
type ChatIdentity struct {
	ID          int64           `gorm:"primaryKey"`
	Transport   string          `gorm:"size:16;not null;uniqueIndex:idx_identity_key,priority:1"`
	Account     string          `gorm:"size:64;not null;uniqueIndex:idx_identity_key,priority:2"`
	ExternalKey string          `gorm:"size:128;not null;uniqueIndex:idx_identity_key,priority:3"`
	PersonID    domain.PersonID `gorm:"not null;index"`
	NickName    string          `gorm:"size:64"` // last seen nickname, for support only: never proof of identity
	RemarkName  string          `gorm:"size:64"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// BindCode is a one-time code that links a chat account to a person.
type BindCode struct {
	ID        int64           `gorm:"primaryKey"`
	Code      string          `gorm:"size:16;not null;uniqueIndex"`
	PersonID  domain.PersonID `gorm:"not null;index"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// InboxMessage is every inbound message, written before any handling (durable inbox).
type InboxMessage struct {
	ID         domain.InboxID   `gorm:"primaryKey"`
	Transport  string           `gorm:"size:16;not null;uniqueIndex:idx_inbox_msg,priority:1"`
	Account    string           `gorm:"size:64;not null;uniqueIndex:idx_inbox_msg,priority:2"`
	MsgID      string           `gorm:"size:64;not null;uniqueIndex:idx_inbox_msg,priority:3"`
	SenderKey  string           `gorm:"size:128;not null"`
	PersonID   *domain.PersonID `gorm:"index"`
	Kind       string           `gorm:"size:16;not null"`
	Text       string           `gorm:"size:4000"`
	Payload    string           `gorm:"size:4000"` // JSON of the transport-neutral message
	Status     InboxStatus      `gorm:"size:8;not null;index"`
	ReceivedAt time.Time        `gorm:"not null;index"`
	DoneAt     *time.Time
	Error      string `gorm:"size:500"`
	Attempts   int    `gorm:"not null;default:0"` // failed tries to handle it while the database answered
}

// OutboxMessage is every outgoing message; it is sent only after the transaction that created it commits.
type OutboxMessage struct {
	ID            domain.OutboxID  `gorm:"primaryKey"`
	Key           string           `gorm:"size:160;not null;uniqueIndex"`
	Account       string           `gorm:"size:64;not null;index:idx_outbox_due,priority:1"`
	Status        OutboxStatus     `gorm:"size:8;not null;index:idx_outbox_due,priority:2"`
	Priority      OutboxPriority   `gorm:"not null;index:idx_outbox_due,priority:3"`
	NextAttemptAt time.Time        `gorm:"not null;index:idx_outbox_due,priority:4"`
	PersonID      *domain.PersonID `gorm:"index"`
	ToKey         string           `gorm:"size:128"`        // a group or raw transport key when there is no person
	Kind          string           `gorm:"size:8;not null"` // text, file, image
	Text          string           `gorm:"size:4000"`
	FileName      string           `gorm:"size:255"`
	FilePath      string           `gorm:"size:500"`
	Urgent        bool             // urgent messages ignore quiet hours
	Attempts      int
	LastError     string `gorm:"size:500"`
	CreatedAt     time.Time
	SentAt        *time.Time
}

// JobRun records that a scheduler job ran for one slot: the database guard behind the Redis claim.
type JobRun struct {
	ID         int64  `gorm:"primaryKey"`
	Job        string `gorm:"size:64;not null;uniqueIndex:idx_jobrun_slot,priority:1"`
	Slot       string `gorm:"size:32;not null;uniqueIndex:idx_jobrun_slot,priority:2"`
	Instance   string `gorm:"size:64"`
	StartedAt  time.Time
	FinishedAt *time.Time
	Result     string `gorm:"size:1000"`
	Error      string `gorm:"size:500"`
}

// AuditLog records every change with the acting person.
type AuditLog struct {
	ID       int64            `gorm:"primaryKey"`
	ActorID  *domain.PersonID `gorm:"index"`
	Action   string           `gorm:"size:32;not null"`
	Entity   string           `gorm:"size:32;not null;index:idx_audit_entity,priority:1"`
	EntityID int64
	Detail   string    `gorm:"size:1000"`
	At       time.Time `gorm:"not null;index;index:idx_audit_entity,priority:2"`
}

// allModels is the migration order (parents before children).
func allModels() []any {
	return []any{
		&Region{}, &Unit{}, &Person{}, &Household{}, &Program{}, &Pairing{}, &CheckIn{}, &WorkPlan{},
		&Request{}, &Rating{}, &Campaign{}, &Reminder{}, &Alert{}, &SpotCheck{}, &Leave{},
		&ChatIdentity{}, &BindCode{}, &InboxMessage{}, &OutboxMessage{}, &JobRun{}, &AuditLog{},
		&Setting{}, &VisitConfirm{}, &ConfirmItem{}, &Discrepancy{}, &DirectoryGeneration{}, &PairingSummary{},
	}
}
