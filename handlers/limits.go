package handlers

import "unicode/utf8"

// What a command stores is refused, never cut, when it is longer than its column holds: the store
// would otherwise cut it without a word. The limits count characters, as MySQL's utf8mb4
// varchar(N) and the store's own cut do; the inbox has already bounded the whole message in bytes.
const (
	maxReportChars  = 2000 // check_ins.text
	maxItemsChars   = 500  // check_ins.items
	maxPlanChars    = 2000 // work_plans.text
	maxRequestChars = 2000 // requests.text (requests and complaints)
	maxResultChars  = 1000 // requests.result
	maxNoteChars    = 500  // requests.transfer_note
	maxRatingChars  = 500  // ratings.text
	maxReasonChars  = 128  // leaves.reason
)

// fits refuses text longer than max characters.
func fits(text string, max int) error {
	if n := utf8.RuneCountInString(text); n > max {
		return refuse(replyTooLong(n, max))
	}
	return nil
}

// fitsReport: a report's diary, goods and sales help each fit their check_ins column.
func fitsReport(text, items, sales string) error {
	if err := fits(text, maxReportChars); err != nil {
		return err
	}
	for _, list := range []string{items, sales} {
		if err := fits(list, maxItemsChars); err != nil {
			return err
		}
	}
	return nil
}
