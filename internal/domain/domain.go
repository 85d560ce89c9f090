// Package domain is the vocabulary the rest of qinqi shares: typed ids, roles, household tags,
// check-in kinds and contact modes, request categories and states, alert levels, households'
// answers, coordinators' verdicts and campaign kinds. It holds values and their Chinese labels
// only: no storage, no rules, no I/O, so store, calendar, policy and the handlers can all use it.
package domain

import (
	"iter"
	"slices"
	"strings"
)

// Typed IDs keep a household id from being passed where a person id is expected.
type (
	RegionID    int64
	UnitID      int64
	PersonID    int64
	HouseholdID int64
	ProgramID   int64
	PairingID   int64
	CheckInID   int64
	RequestID   int64
	CampaignID  int64
	OutboxID    int64
	InboxID     int64
	AlertID     int64
	SpotCheckID int64
	ConfirmID   int64
	DiscID      int64
)

// RegionLevel is the level of a node in the county → township → village tree.
type RegionLevel string

const (
	LevelCounty   RegionLevel = "county"
	LevelTownship RegionLevel = "township"
	LevelVillage  RegionLevel = "village"
)

// Role is what a person may do; a person can hold several.
type Role string

const (
	RoleHousehold   Role = "household"
	RoleCadre       Role = "cadre"
	RoleCoordinator Role = "coordinator"
	RoleAdmin       Role = "admin"
)

// Roles is a set of roles stored as a comma-separated column ("cadre,coordinator").
type Roles string

// Has reports whether r contains role.
func (r Roles) Has(role Role) bool {
	for _, s := range strings.Split(string(r), ",") {
		if Role(strings.TrimSpace(s)) == role {
			return true
		}
	}
	return false
}

// MakeRoles builds a Roles set; order is normalised so equal sets compare equal.
func MakeRoles(roles ...Role) Roles {
	order := []Role{RoleHousehold, RoleCadre, RoleCoordinator, RoleAdmin}
	var out []string
	for _, o := range order {
		for _, r := range roles {
			if r == o {
				out = append(out, string(o))
				break
			}
		}
	}
	return Roles(strings.Join(out, ","))
}

// Tag is a household category from the programmes (脱贫户, 监测户, 低保 …). Stored as the Chinese word.
type Tag string

const (
	TagLifted        Tag = "脱贫户"
	TagMonitored     Tag = "监测户"
	TagDibao         Tag = "低保"
	TagTekun         Tag = "特困"
	TagLeftChildren  Tag = "留守儿童"
	TagEmptyNest     Tag = "空巢老人"
	TagDisabled      Tag = "残疾"
	TagSerialIllness Tag = "大病"
)

// KnownTags lists the tags the import accepts; 五保 is an alias of 特困 handled by the importer.
var KnownTags = []Tag{TagLifted, TagMonitored, TagDibao, TagTekun, TagLeftChildren, TagEmptyNest, TagDisabled, TagSerialIllness}

// Tags is a set of tags stored as a comma-separated column.
type Tags string

// Has reports whether t contains tag.
func (t Tags) Has(tag Tag) bool {
	for s := range t.All() {
		if s == tag {
			return true
		}
	}
	return false
}

// List returns the tags in stored order.
func (t Tags) List() []Tag {
	var out []Tag
	for tag := range t.All() {
		out = append(out, tag)
	}
	return out
}

// All yields the tags in stored order without building a list (the daily scans ask a million times).
func (t Tags) All() iter.Seq[Tag] {
	return func(yield func(Tag) bool) {
		for p := range strings.SplitSeq(string(t), ",") {
			if p = strings.TrimSpace(p); p != "" && !yield(Tag(p)) {
				return
			}
		}
	}
}

// MakeTags joins tags, dropping duplicates and keeping first-seen order.
func MakeTags(tags ...Tag) Tags {
	seen := map[Tag]bool{}
	var out []string
	for _, t := range tags {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, string(t))
	}
	return Tags(strings.Join(out, ","))
}

// CheckInKind is one of the five counted activities.
type CheckInKind string

const (
	KindContact CheckInKind = "contact" // 联系 (phone, WeChat)
	KindVisit   CheckInKind = "visit"   // 走访
	KindPolicy  CheckInKind = "policy"  // 讲政策
	KindWarmth  CheckInKind = "warmth"  // 送温暖
	KindDeed    CheckInKind = "deed"    // 办实事
)

// CheckInKinds lists the five kinds in report order.
var CheckInKinds = []CheckInKind{KindContact, KindVisit, KindPolicy, KindWarmth, KindDeed}

// Label is the Chinese name used in ledgers and replies.
func (k CheckInKind) Label() string {
	switch k {
	case KindContact:
		return "联系"
	case KindVisit:
		return "走访"
	case KindPolicy:
		return "讲政策"
	case KindWarmth:
		return "送温暖"
	case KindDeed:
		return "办实事"
	}
	return string(k)
}

// ContactMode says how a contact happened.
type ContactMode string

const (
	ModeInPerson ContactMode = "in_person"
	ModePhone    ContactMode = "phone"
	ModeWeChat   ContactMode = "wechat"
)

// Label is the Chinese name used in ledgers and replies.
func (m ContactMode) Label() string {
	switch m {
	case ModeInPerson:
		return "当面"
	case ModePhone:
		return "电话"
	case ModeWeChat:
		return "微信"
	}
	return string(m)
}

// RequestCategory is the kind of help a household asks for.
type RequestCategory string

const (
	CatJob       RequestCategory = "就业"
	CatMedical   RequestCategory = "就医"
	CatSchool    RequestCategory = "就学"
	CatHousing   RequestCategory = "住房"
	CatFarming   RequestCategory = "生产"
	CatInsurance RequestCategory = "社保"
	CatOther     RequestCategory = "其他"
)

// RequestCategories lists the categories in menu order.
var RequestCategories = []RequestCategory{CatJob, CatMedical, CatSchool, CatHousing, CatFarming, CatInsurance, CatOther}

// RequestKind separates ordinary requests from complaints (which go to the coordinator) and voice notes.
type RequestKind string

const (
	ReqRequest   RequestKind = "request"
	ReqComplaint RequestKind = "complaint"
	ReqVoice     RequestKind = "voice"
)

// RequestStatus is the workflow state of a request.
type RequestStatus string

const (
	StatusNew         RequestStatus = "new"
	StatusAccepted    RequestStatus = "accepted"
	StatusResolved    RequestStatus = "resolved"
	StatusTransferred RequestStatus = "transferred"
	// StatusWithdrawn: the household took it back before anyone accepted it. Nobody's open work,
	// and never 办结: it has no ResolvedAt, and the tallies leave it out.
	StatusWithdrawn RequestStatus = "withdrawn"
)

// ClosedStatuses are the states in which a request is nobody's work any more.
var ClosedStatuses = []RequestStatus{StatusResolved, StatusWithdrawn}

// Open reports whether a request in this state still waits for someone.
func (s RequestStatus) Open() bool { return !slices.Contains(ClosedStatuses, s) }

// AlertLevel is the step of the escalation ladder.
type AlertLevel string

const (
	AlertCadre       AlertLevel = "cadre"
	AlertCoordinator AlertLevel = "coordinator"
	AlertHead        AlertLevel = "head"
)

// SpotAnswer is a household's answer to a call-back question or a visit confirmation.
type SpotAnswer string

const (
	AnswerNone   SpotAnswer = ""
	AnswerYes    SpotAnswer = "yes"
	AnswerNo     SpotAnswer = "no"     // 没有来
	AnswerPartly SpotAnswer = "partly" // 有出入
)

// Label is the household's words for the answer.
func (a SpotAnswer) Label() string {
	switch a {
	case AnswerYes:
		return "是"
	case AnswerNo:
		return "没有来"
	case AnswerPartly:
		return "有出入"
	}
	return "未回答"
}

// How a household's answer reached qinqi.
const (
	ViaChat  = "chat"  // the household answered a question in chat
	ViaPhone = "phone" // a coordinator phoned and recorded the answer (回访)
)

// Where a discrepancy was found.
const (
	DiscFromConfirm  = "confirm"  // the answer to a visit confirmation in chat
	DiscFromCallback = "callback" // a coordinator's phone call-back
	DiscFromSpot     = "spot"     // the monthly call-back question in chat
)

// Verdict is a coordinator's finding on a discrepancy (核实).
type Verdict string

const (
	VerdictUpheld Verdict = "upheld" // 属实: the household is right, the report does not match what happened
	VerdictWrong  Verdict = "wrong"  // 有误: the household was mistaken, the report stands
)

// Label is the Chinese word the coordinator types.
func (v Verdict) Label() string {
	switch v {
	case VerdictUpheld:
		return "属实"
	case VerdictWrong:
		return "有误"
	}
	return "待核实"
}

// CampaignKind says where a visit window comes from.
type CampaignKind string

const (
	CampaignFestival CampaignKind = "festival"
	CampaignHarvest  CampaignKind = "harvest"
	CampaignWinter   CampaignKind = "winter"
	CampaignCustom   CampaignKind = "custom"
)
