package seed

import (
	"context"
	"fmt"
	"time"

	"qinqi/internal/domain"
	"qinqi/store"
)

// households writes households chunk by chunk, each chunk with its head person rows and pairings
// in one transaction, so a million pairings never sit in memory at once.
func (g *gen) households(ctx context.Context) error {
	for start := 0; start < g.o.Households; start += chunk {
		end := min(start+chunk, g.o.Households)
		hhs, heads := g.makeHouseholds(start, end)
		err := g.st.Tx(ctx, func(tx *store.Store) error {
			ids, err := writeHouseholds(ctx, tx, hhs)
			if err != nil {
				return err
			}
			if err := g.writeHeads(ctx, tx, hhs, ids, heads); err != nil {
				return err
			}
			pairings, relays := g.makePairings(start, hhs, ids)
			if err := tx.UpsertPairings(ctx, pairings); err != nil {
				return err
			}
			return tx.LinkRelays(ctx, relays)
		})
		if err != nil {
			return fmt.Errorf("seed: households %d–%d: %w", start+1, end, err)
		}
	}
	return nil
}

// makeHouseholds draws households [start, end); heads lists the indexes (into the result) of
// households whose head also gets a person row, so they can chat with the bot.
func (g *gen) makeHouseholds(start, end int) ([]store.Household, []int) {
	hhs := make([]store.Household, 0, end-start)
	var heads []int
	for i := start; i < end; i++ {
		village := g.villages[min(i/householdsPerVillage, len(g.villages)-1)]
		h := store.Household{
			Code: fmt.Sprintf("H%08d", i+1), HeadName: name(g.r), RegionID: &village,
			Address: fmt.Sprintf("%d组%d号", 1+g.r.IntN(8), 1+g.r.IntN(60)), Members: 1 + g.r.IntN(6),
			Tags: g.tags(), Difficult: g.r.Float64() < shareDifficult,
		}
		if g.r.Float64() < shareLocated {
			lng, lat := 119.5+g.r.Float64(), 29.8+g.r.Float64()
			h.Lng, h.Lat = &lng, &lat
		}
		if g.r.Float64() < shareHeadPerson {
			heads = append(heads, len(hhs))
		}
		hhs = append(hhs, h)
	}
	return hhs, heads
}

// tags draws each tag with its share; every household has at least one.
func (g *gen) tags() domain.Tags {
	var tags []domain.Tag
	for _, ts := range tagShares {
		if g.r.Float64() < ts.share {
			tags = append(tags, ts.tag)
		}
	}
	if len(tags) == 0 {
		tags = []domain.Tag{domain.TagLifted}
	}
	return domain.MakeTags(tags...)
}

func writeHouseholds(ctx context.Context, tx *store.Store, hhs []store.Household) ([]domain.HouseholdID, error) {
	if err := tx.UpsertHouseholds(ctx, hhs, nil); err != nil {
		return nil, err
	}
	codes := make([]string, len(hhs))
	for i, h := range hhs {
		codes[i] = h.Code
	}
	got, err := tx.HouseholdsByCodes(ctx, codes)
	if err != nil {
		return nil, err
	}
	ids := make([]domain.HouseholdID, len(hhs))
	for i, c := range codes {
		ids[i] = got[c].ID
	}
	return ids, nil
}

// writeHeads gives the chosen households' heads person rows and links them.
func (g *gen) writeHeads(ctx context.Context, tx *store.Store, hhs []store.Household, ids []domain.HouseholdID, heads []int) error {
	if len(heads) == 0 {
		return nil
	}
	people := make([]store.Person, len(heads))
	for i, k := range heads {
		hh := ids[k]
		people[i] = store.Person{Code: "R" + hhs[k].Code[1:], Name: hhs[k].HeadName, Phone: fmt.Sprintf("139%08d", g.r.IntN(100_000_000)),
			Roles: domain.MakeRoles(domain.RoleHousehold), HouseholdID: &hh, Title: "户主"}
	}
	if err := tx.UpsertPeople(ctx, people, nil); err != nil {
		return err
	}
	codes := make([]string, len(people))
	for i, p := range people {
		codes[i] = p.Code
	}
	got, err := tx.PeopleByCodes(ctx, codes)
	if err != nil {
		return err
	}
	links := make(map[domain.HouseholdID]domain.PersonID, len(heads))
	for i, k := range heads {
		links[ids[k]] = got[codes[i]].ID
	}
	return tx.SetHouseholdHeads(ctx, links)
}

// makePairings gives each household its cadre (contiguous blocks, so one cadre has several
// households in neighbouring villages), a second cadre for some, and a relay for a few; relays maps
// the code of each relaying pairing to the one it took over from.
func (g *gen) makePairings(start int, hhs []store.Household, ids []domain.HouseholdID) (out []store.Pairing, relays map[string]string) {
	nc := len(g.cadres)
	out = make([]store.Pairing, 0, len(hhs)+len(hhs)/8)
	relays = map[string]string{}
	for k, h := range hhs {
		i := start + k
		primary := int(int64(i) * int64(nc) / int64(g.o.Households))
		prog := g.programFor(h.Tags)
		begin := g.o.Start.AddDate(0, 0, g.r.IntN(60))
		if g.r.Float64() < shareRelay && nc > 1 {
			end := begin.AddDate(0, 0, 60+g.r.IntN(120))
			reason := []string{"工作调动", "退休", "岗位调整"}[g.r.IntN(3)]
			out = append(out, g.pairing(g.cadres[(primary+nc/2)%nc], ids[k], prog, begin, &end, reason))
			begin = end
			relays[fmt.Sprintf("J%09d", g.pairSeq+1)] = out[len(out)-1].Code
		}
		out = append(out, g.pairing(g.cadres[primary], ids[k], prog, begin, nil, ""))
		if g.r.Float64() < shareSecondCadre && nc > 1 {
			second := (primary + 1 + g.r.IntN(nc-1)) % nc
			out = append(out, g.pairing(g.cadres[second], ids[k], prog, begin, nil, ""))
		}
	}
	return out, relays
}

func (g *gen) pairing(cadre domain.PersonID, hh domain.HouseholdID, prog domain.ProgramID, start time.Time, end *time.Time, reason string) store.Pairing {
	g.pairSeq++
	return store.Pairing{Code: fmt.Sprintf("J%09d", g.pairSeq), CadreID: cadre, HouseholdID: hh, ProgramID: &prog,
		StartOn: start, EndOn: end, EndReason: reason}
}

// programFor picks the programme by the household's tags.
func (g *gen) programFor(tags domain.Tags) domain.ProgramID {
	switch {
	case tags.Has(domain.TagLeftChildren):
		return g.programs["SSJD"]
	case tags.Has(domain.TagTekun) && g.r.IntN(2) == 0:
		return g.programs["YHJD"]
	}
	return g.programs["GBJQ"]
}
