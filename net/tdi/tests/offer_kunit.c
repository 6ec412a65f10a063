// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the timing of offers held for a query-accept decision --
 * tdi_offer_expired(), tdi_hold_when() and tdi_held_deadline() -- across
 * the jiffies wrap-around.
 */

#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>

#include "../tdi.h"

/* Points in time to run each case at: the wrap-around among them. */
static const unsigned long tdi_offer_nows[] = {
	0, 12345, ULONG_MAX / 2, ULONG_MAX - HZ / 2, ULONG_MAX,
};

/* An offer is undecided until its deadline, expired on it and after. */
static void tdi_offer_expired_test(struct kunit *test)
{
	unsigned long now, deadline;
	int i;

	for (i = 0; i < ARRAY_SIZE(tdi_offer_nows); i++) {
		now = tdi_offer_nows[i];
		deadline = now + msecs_to_jiffies(30000);
		KUNIT_EXPECT_FALSE(test, tdi_offer_expired(now, deadline));
		KUNIT_EXPECT_FALSE(test, tdi_offer_expired(deadline - 1,
							   deadline));
		KUNIT_EXPECT_TRUE(test, tdi_offer_expired(deadline, deadline));
		KUNIT_EXPECT_TRUE(test, tdi_offer_expired(deadline + 1,
							  deadline));
		KUNIT_EXPECT_TRUE(test, tdi_offer_expired(deadline + HZ * 60,
							  deadline));
	}
}

/* The timer of an undecided offer fires every HOLD interval, and at the
 * deadline when that comes sooner; it never fires after the deadline.
 */
static void tdi_hold_when_test(struct kunit *test)
{
	unsigned long now, deadline;
	int i;

	for (i = 0; i < ARRAY_SIZE(tdi_offer_nows); i++) {
		now = tdi_offer_nows[i];
		deadline = now + 10 * HZ;
		KUNIT_EXPECT_EQ(test, tdi_hold_when(now, deadline),
				now + TDI_HOLD_INTERVAL);
		deadline = now + TDI_HOLD_INTERVAL / 2;
		KUNIT_EXPECT_EQ(test, tdi_hold_when(now, deadline), deadline);
		deadline = now + TDI_HOLD_INTERVAL;
		KUNIT_EXPECT_EQ(test, tdi_hold_when(now, deadline), deadline);
		/* past its deadline (a late timer): at once */
		deadline = now - 1;
		KUNIT_EXPECT_EQ(test, tdi_hold_when(now, deadline), deadline);
	}
}

/* An offer of 30 s (the default offer_timeout_ms) with a 5 s connect
 * time-out: walking the HOLDs one interval apart, the connector's
 * deadline always lies beyond the next HOLD, so a held connect never
 * times out while HOLDs come; once they stop, it ends no later than the
 * longer of its time-out and TDI_HOLD_WAIT_MS after the last one.
 */
static void tdi_held_deadline_test(struct kunit *test)
{
	unsigned long start, now, deadline, offer;
	int i;

	for (i = 0; i < ARRAY_SIZE(tdi_offer_nows); i++) {
		start = tdi_offer_nows[i];
		deadline = start + msecs_to_jiffies(5000);
		offer = start + msecs_to_jiffies(30000);
		for (now = start; !tdi_offer_expired(now, offer);
		     now = tdi_hold_when(now, offer)) {
			deadline = tdi_held_deadline(now, deadline, 5000);
			KUNIT_EXPECT_TRUE(test,
					  time_after(deadline,
						     tdi_hold_when(now, offer)));
		}
		KUNIT_EXPECT_EQ(test, now, offer);
		KUNIT_EXPECT_LE(test, deadline - now,
				msecs_to_jiffies(max(5000, TDI_HOLD_WAIT_MS)));
		/* a short connect time-out still waits TDI_HOLD_WAIT_MS */
		KUNIT_EXPECT_EQ(test, tdi_held_deadline(start, start, 100),
				start + msecs_to_jiffies(TDI_HOLD_WAIT_MS));
		/* a HOLD never brings a deadline closer */
		deadline = start + msecs_to_jiffies(600000);
		KUNIT_EXPECT_EQ(test, tdi_held_deadline(start, deadline, 5000),
				deadline);
	}
}

static struct kunit_case tdi_offer_test_cases[] = {
	KUNIT_CASE(tdi_offer_expired_test),
	KUNIT_CASE(tdi_hold_when_test),
	KUNIT_CASE(tdi_held_deadline_test),
	{}
};

static struct kunit_suite tdi_offer_test_suite = {
	.name = "tdi_offer_timing",
	.test_cases = tdi_offer_test_cases,
};

kunit_test_suite(tdi_offer_test_suite);
