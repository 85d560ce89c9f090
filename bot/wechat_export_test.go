package bot

// Exported for the package bot_test tests of the WeChat mapping helpers.
var (
	WxParseLocation = wxParseLocation
	WxStripAt       = wxStripAt
	WxSafeFileName  = wxSafeFileName
)
