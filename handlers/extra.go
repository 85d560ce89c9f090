package handlers

// ExtraDeps carries what commands beyond a cadre's reports need (coordinator reports, spot-check
// answers), each field with its own small interface; internal/app fills it in where the router is
// built. Commands cope with a nil field by answering that the feature is not available.
type ExtraDeps struct {
	// Coord serves the coordinator commands (逾期 统计 排名 导出 统计图 接力 请假 绑定码); *store.Store.
	Coord CoordStore
	// Windows is the visit-window calendar for 活动; *calendar.Calendar.
	Windows Windows
	// Spot records what households say: visit confirmations, call-back answers, discrepancies
	// (handlers/confirm.go, spotcheck.go, verify.go); *store.Store.
	Spot SpotStore
	// Callbacks serves the call-back list of households without chat (handlers/callback.go); *store.Store.
	Callbacks CallbackStore
}
