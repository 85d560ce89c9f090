package handlers

import "time"

// Exported for the table tests in package handlers_test.
var (
	ParseLeaveArgs    = parseLeaveArgs
	ParseLeaveDate    = parseLeaveDate
	LeaveAskedDates   = leaveAskedDates
	SplitEach         = splitEach
	ParseRelayArgs    = parseRelayArgs
	ParseBindCodeArgs = parseBindCodeArgs
	ParseOverdueArgs  = parseOverdueArgs
)

// LeaveArgsOf builds the parsed form for comparisons.
func LeaveArgsOf(cadre string, from, to time.Time, reason string) leaveArgs {
	return leaveArgs{cadre: cadre, from: from, to: to, reason: reason}
}

// LeaveFrom and LeaveTo read the parsed range.
func LeaveFrom(a leaveArgs) time.Time { return a.from }
func LeaveTo(a leaveArgs) time.Time   { return a.to }

// EachPart reads one part of a report by list numbers.
func EachPart(p eachPart) (int, string) { return p.number, p.text }
