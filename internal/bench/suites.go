package bench

// Suites is the ordered table of suites `qinqi bench` knows; ceilings come first because the
// later rows print their ratio to them.
func Suites() []Suite {
	return []Suite{
		ceilingSuite(),
		parserSuite(),
		checkinSuite(),
		scanSuite(),
		planSuite(),
		rssSuite(),
	}
}
