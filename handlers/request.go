package handlers

import (
	"context"
	"fmt"
	"os"
	"strings"

	"qinqi/bot"
	"qinqi/internal/domain"
	"qinqi/store"
)

// categorySynonyms maps what households say to a category; the word itself stays in the text.
var categorySynonyms = map[string]domain.RequestCategory{
	"看病": domain.CatMedical, "医疗": domain.CatMedical, "住院": domain.CatMedical, "买药": domain.CatMedical, "医保": domain.CatInsurance,
	"上学": domain.CatSchool, "读书": domain.CatSchool, "学费": domain.CatSchool, "助学": domain.CatSchool, "教育": domain.CatSchool,
	"找工作": domain.CatJob, "工作": domain.CatJob, "打工": domain.CatJob, "务工": domain.CatJob,
	"房子": domain.CatHousing, "危房": domain.CatHousing, "修房": domain.CatHousing, "住的": domain.CatHousing,
	"种地": domain.CatFarming, "养殖": domain.CatFarming, "农业": domain.CatFarming, "种植": domain.CatFarming,
	"低保": domain.CatInsurance, "养老": domain.CatInsurance, "养老金": domain.CatInsurance, "保险": domain.CatInsurance,
}

// categoryWords name a category anywhere in a household's sentence ("我家低保怎么还没下来"): only
// words that say nothing else, first match wins, in this order (医保 before 看病: "医保报销看病的钱").
var categoryWords = []struct {
	word string
	cat  domain.RequestCategory
}{
	{"低保", domain.CatInsurance}, {"医保", domain.CatInsurance}, {"养老金", domain.CatInsurance}, {"养老保险", domain.CatInsurance}, {"社保", domain.CatInsurance},
	{"看病", domain.CatMedical}, {"住院", domain.CatMedical}, {"买药", domain.CatMedical}, {"医院", domain.CatMedical}, {"大病", domain.CatMedical},
	{"学费", domain.CatSchool}, {"上学", domain.CatSchool}, {"助学", domain.CatSchool}, {"读书", domain.CatSchool}, {"雨露计划", domain.CatSchool},
	{"危房", domain.CatHousing}, {"漏雨", domain.CatHousing}, {"房子", domain.CatHousing}, {"屋顶", domain.CatHousing}, {"修房", domain.CatHousing},
	{"找工作", domain.CatJob}, {"打工", domain.CatJob}, {"务工", domain.CatJob}, {"公益岗", domain.CatJob},
	{"种地", domain.CatFarming}, {"化肥", domain.CatFarming}, {"种子", domain.CatFarming}, {"养殖", domain.CatFarming}, {"庄稼", domain.CatFarming},
}

// CategoryIn is the category a household's sentence speaks of, 其他 when none of categoryWords is in it.
func CategoryIn(text string) domain.RequestCategory {
	for _, w := range categoryWords {
		if strings.Contains(text, w.word) {
			return w.cat
		}
	}
	return domain.CatOther
}

// ParseRequest splits "就医 想办医疗救助卡" into a category and the text; no category means 其他.
func ParseRequest(args string) (domain.RequestCategory, string) {
	args = strings.TrimSpace(shape(args))
	for _, cat := range domain.RequestCategories {
		if strings.HasPrefix(args, string(cat)) {
			return cat, trimSeps(strings.TrimSpace(args[len(cat):]))
		}
	}
	first := args
	if i := strings.IndexFunc(args, isSep); i >= 0 {
		first = args[:i]
	}
	if cat, ok := categorySynonyms[first]; ok {
		return cat, args
	}
	return domain.CatOther, trimSeps(args)
}

// request is 诉求 <类别> <内容> from a household.
func (r *Router) request(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if out, handled, err := r.progressAsked(ctx, c, c.Args, AsksProgress); handled || err != nil {
		return out, err
	}
	cat, text := ParseRequest(c.Args)
	if text == "" {
		return nil, refuse(replyRequestEmpty)
	}
	return r.createRequest(ctx, c, cat, text)
}

func (r *Router) createRequest(ctx context.Context, c *Caller, cat domain.RequestCategory, text string) ([]bot.Reply, error) {
	return r.newRequest(ctx, c, store.Request{Kind: domain.ReqRequest, Category: cat, Text: text}, nil)
}

// voice turns a household's voice message into a request for the cadre, who gets the recording
// itself (when the channel left it as a file) and the platform's recognised text (when the channel
// gives one: the 服务号's Recognition); never only a reference to it.
func (r *Router) voice(ctx context.Context, c *Caller) ([]bot.Reply, error) {
	if !c.Is(domain.RoleHousehold) {
		return nil, refuse(replyCadreVoice)
	}
	m := mediaOf(c.In)
	return r.newRequest(ctx, c, store.Request{Kind: domain.ReqVoice, Category: domain.CatOther, Text: m.words(), MediaRef: m.Ref}, []heldMedia{m})
}

// localFile is the file a photo or voice message left on this machine, or "" when the channel gave
// only a platform media id (nothing to forward then).
func localFile(ref string) string {
	if ref == "" {
		return ""
	}
	st, err := os.Stat(ref)
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return ""
	}
	return ref
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// newRequest stores a request or voice note for the household's paired cadre (the oldest active
// pairing) and notifies the cadre, with the photos and recordings it carries, and the unit's
// coordinators in the same transaction.
func (r *Router) newRequest(ctx context.Context, c *Caller, req store.Request, media []heldMedia) ([]bot.Reply, error) {
	if err := fits(req.Text, maxRequestChars); err != nil {
		return nil, err
	}
	hh, pairs, err := r.myHousehold(ctx, c)
	if err != nil {
		return nil, err
	}
	now := r.now()
	req.HouseholdID, req.PersonID, req.Status, req.CreatedAt = hh.ID, c.ID(), domain.StatusNew, now
	req.AckDueAt, req.DueAt = now.Add(r.cfg.Requests.AckWithin), now.Add(r.cfg.Requests.ResolveWithin)
	if src := sourceID(c.In); src != "" {
		req.SourceMsgID = &src
	}
	cadre, coords, err := r.requestRouting(ctx, pairs)
	if err != nil {
		return nil, fmt.Errorf("route request: %w", err)
	}
	if cadre.ID != 0 {
		req.PairingID, req.AssigneeID, req.UnitID = &pairs[0].ID, &cadre.ID, cadre.UnitID
	}
	if req.MediaRef == "" && len(media) > 0 {
		req.MediaRef = media[0].Ref
	}
	notify := func(saved store.Request) []store.OutboxMessage {
		var out []store.OutboxMessage
		if cadre.ID != 0 {
			n := r.note(c.In, saved.ID, "new", cadre.ID, noteNewRequest(saved, hh.HeadName, saved.AckDueAt, attachHint(media)))
			n.Urgent = containsAnyOf(saved.Text, emergencies) // "救命 家里着火了" at 2 a.m. is not held till 8
			out = append(out, n)
			out = append(out, r.mediaNotes(c, saved, hh.HeadName, cadre.ID, media)...)
		}
		for _, co := range coords {
			if co.ID != cadre.ID {
				out = append(out, r.note(c.In, saved.ID, "copy", co.ID, noteCopyRequest(saved, hh.HeadName, cadre.Name, saved.DueAt)))
			}
		}
		return out
	}
	saved, _, err := r.store.CreateRequest(ctx, req, notify)
	if err != nil {
		return nil, fmt.Errorf("create request: %w", err)
	}
	if saved.Kind == domain.ReqVoice {
		return say(replyVoiceSaved(saved, cadre.Name)), nil
	}
	return say(replyRequestSaved(saved, cadre.Name, r.cfg.Requests.AckWithin)), nil
}

// requestRouting finds who handles a household's request: the cadre of the oldest active pairing
// and the coordinators of that cadre's unit (none when the household has no pairing).
func (r *Router) requestRouting(ctx context.Context, pairs []store.Pairing) (store.Person, []store.Person, error) {
	if len(pairs) == 0 {
		return store.Person{}, nil, nil
	}
	cadre, err := r.store.PersonByID(ctx, pairs[0].CadreID)
	if err != nil || cadre.UnitID == nil {
		return cadre, nil, err
	}
	coords, err := r.store.CoordinatorsOfUnit(ctx, *cadre.UnitID)
	return cadre, coords, err
}
