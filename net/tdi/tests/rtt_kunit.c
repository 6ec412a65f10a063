// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the RFC 6298 round-trip estimate and retransmission time-out, and
 * the sequence number arithmetic of wire.h.
 */

#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>

#include "../tdi.h"

#define RTO_MIN_US	200000U		/* 200 ms */
#define RTO_MAX_US	60000000U	/* 60 s */

static void tdi_rtt_init_test(struct kunit *test)
{
	struct tdi_rtt rtt;

	memset(&rtt, 0xa5, sizeof(rtt));
	tdi_rtt_init(&rtt, 1000000);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 0U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 0U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 1000000U);
}

static void tdi_rtt_first_sample_test(struct kunit *test)
{
	struct tdi_rtt rtt;

	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 100000, RTO_MIN_US, RTO_MAX_US);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 100000U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 50000U);
	/* SRTT + 4 * RTTVAR */
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 300000U);

	/* R/2 rounds down */
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 100001, RTO_MIN_US, RTO_MAX_US);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 100001U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 50000U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 300001U);
}

struct tdi_rtt_step {
	u32 sample;
	u32 srtt;
	u32 rttvar;
	u32 rto;
};

/* RTTVAR = (3 * RTTVAR + |SRTT - R|) / 4 with the old SRTT, then
 * SRTT = (7 * SRTT + R) / 8, in integers; RTO = SRTT + 4 * RTTVAR.
 */
static const struct tdi_rtt_step tdi_rtt_steps[] = {
	{ 100000, 100000, 50000, 300000 },	/* first: R, R/2 */
	{  60000,  95000, 47500, 285000 },	/* faster */
	{ 200000, 108125, 61875, 355625 },	/* slower */
	{  95003, 106484, 49686, 305228 },	/* both round down */
	{  95003, 105048, 40134, 265584 },
	{      1,  91917, 56362, 317365 },	/* a very short one */
};

static void tdi_rtt_steps_test(struct kunit *test)
{
	struct tdi_rtt rtt;
	unsigned int i;

	tdi_rtt_init(&rtt, 1000000);
	for (i = 0; i < ARRAY_SIZE(tdi_rtt_steps); i++) {
		const struct tdi_rtt_step *s = &tdi_rtt_steps[i];

		tdi_rtt_sample(&rtt, s->sample, RTO_MIN_US, RTO_MAX_US);
		KUNIT_EXPECT_EQ_MSG(test, rtt.srtt_us, s->srtt, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, rtt.rttvar_us, s->rttvar, "step %u",
				    i);
		KUNIT_EXPECT_EQ_MSG(test, rtt.rto_us, s->rto, "step %u", i);
	}
}

static void tdi_rtt_steady_test(struct kunit *test)
{
	struct tdi_rtt rtt;
	int i;

	tdi_rtt_init(&rtt, 1000000);
	for (i = 0; i < 100; i++)
		tdi_rtt_sample(&rtt, 80000, 0, RTO_MAX_US);
	/* the same sample again and again: no variation left */
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 80000U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 0U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 80000U + jiffies_to_usecs(1));
}

static void tdi_rtt_clamp_test(struct kunit *test)
{
	struct tdi_rtt rtt;

	/* 1000 + 4 * 500 = 3000, below the minimum */
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 1000, RTO_MIN_US, RTO_MAX_US);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 1000U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 500U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, RTO_MIN_US);

	/* 50 s + 4 * 25 s, above the maximum; the estimate itself is kept */
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 50000000, RTO_MIN_US, RTO_MAX_US);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 50000000U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 25000000U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, RTO_MAX_US);

	/* exactly the bounds */
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 100000, 300000, 300000);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 300000U);
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 100000, 300001, RTO_MAX_US);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 300001U);
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 100000, RTO_MIN_US, 299999);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 299999U);
}

/* RTO = SRTT + max(G, 4 * RTTVAR), G the clock granularity (one jiffy). */
static void tdi_rtt_granularity_test(struct kunit *test)
{
	u32 g = jiffies_to_usecs(1);
	struct tdi_rtt rtt;

	KUNIT_ASSERT_GT(test, g, 0U);
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 1, 0, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 1U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 0U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 1 + g);

	/* 4 * RTTVAR = 2 * R: G wins while 2 * R is below it */
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, g / 4, 0, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, g / 4 + g);
	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 2 * g, 0, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 6 * g);
}

/* A zero sample counts as 1 us, so SRTT 0 still means "no sample yet". */
static void tdi_rtt_zero_sample_test(struct kunit *test)
{
	struct tdi_rtt rtt;

	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 0, 0, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 1U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 0U);

	/* a second sample is smoothed, not taken as the first */
	tdi_rtt_sample(&rtt, 801, 0, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 101U);	/* (7 + 801) / 8 */
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 200U);	/* (0 + 800) / 4 */
}

static void tdi_rtt_huge_sample_test(struct kunit *test)
{
	struct tdi_rtt rtt;

	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, U32_MAX, RTO_MIN_US, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, U32_MAX / 2);
	/* 3 * 2^32 would wrap in 32 bits */
	KUNIT_EXPECT_EQ(test, rtt.rto_us, U32_MAX);

	tdi_rtt_sample(&rtt, U32_MAX, RTO_MIN_US, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 1610612735U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, U32_MAX);

	/* 7 * SRTT does not wrap either */
	tdi_rtt_sample(&rtt, 1, RTO_MIN_US, U32_MAX);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 3758096383U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 2281701374U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, U32_MAX);
}

/* A new estimate after tdi_rtt_init() starts from its first sample again. */
static void tdi_rtt_reinit_test(struct kunit *test)
{
	struct tdi_rtt rtt;

	tdi_rtt_init(&rtt, 1000000);
	tdi_rtt_sample(&rtt, 500000, RTO_MIN_US, RTO_MAX_US);
	tdi_rtt_sample(&rtt, 700000, RTO_MIN_US, RTO_MAX_US);
	tdi_rtt_init(&rtt, 3000000);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, 3000000U);
	tdi_rtt_sample(&rtt, 40000, RTO_MIN_US, RTO_MAX_US);
	KUNIT_EXPECT_EQ(test, rtt.srtt_us, 40000U);
	KUNIT_EXPECT_EQ(test, rtt.rttvar_us, 20000U);
	KUNIT_EXPECT_EQ(test, rtt.rto_us, RTO_MIN_US);
}

struct tdi_backoff_case {
	u32 rto;
	u8 backoff;
	u32 max;
	u32 expect;
};

static const struct tdi_backoff_case tdi_backoff_cases[] = {
	{ 200000, 0, RTO_MAX_US, 200000 },
	{ 200000, 1, RTO_MAX_US, 400000 },
	{ 200000, 2, RTO_MAX_US, 800000 },
	{ 200000, 8, RTO_MAX_US, 51200000 },
	{ 200000, 9, RTO_MAX_US, RTO_MAX_US },
	{ 234375, 8, RTO_MAX_US, RTO_MAX_US },	/* exactly the maximum */
	{ 200000, 31, RTO_MAX_US, RTO_MAX_US },
	{ 200000, 32, RTO_MAX_US, RTO_MAX_US },
	{ 200000, 33, RTO_MAX_US, RTO_MAX_US },
	{ 200000, 64, RTO_MAX_US, RTO_MAX_US },
	{ 200000, 255, RTO_MAX_US, RTO_MAX_US },
	{ 1, 31, U32_MAX, 0x80000000U },
	{ 1, 32, U32_MAX, U32_MAX },
	{ 3, 30, U32_MAX, 0xc0000000U },
	{ 3, 31, U32_MAX, U32_MAX },		/* 32 bits would wrap */
	{ 0x80000000U, 1, U32_MAX, U32_MAX },	/* ... to 0 */
	{ U32_MAX, 1, U32_MAX, U32_MAX },
	{ RTO_MAX_US, 0, RTO_MAX_US, RTO_MAX_US },
	{ RTO_MAX_US + 1, 0, RTO_MAX_US, RTO_MAX_US },
};

static void tdi_backoff_case_desc(const struct tdi_backoff_case *c,
				  char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u << %u, max %u", c->rto,
		 c->backoff, c->max);
}

KUNIT_ARRAY_PARAM(tdi_backoff, tdi_backoff_cases, tdi_backoff_case_desc);

static void tdi_rto_backed_off_test(struct kunit *test)
{
	const struct tdi_backoff_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, tdi_rto_backed_off(c->rto, c->backoff, c->max),
			c->expect);
}

/* Each back-off doubles the time-out until it sticks at the maximum. */
static void tdi_rto_backoff_series_test(struct kunit *test)
{
	u32 expect = 300000;
	unsigned int b;

	for (b = 0; b <= 255; b++) {
		KUNIT_EXPECT_EQ_MSG(test,
				    tdi_rto_backed_off(300000, b, RTO_MAX_US),
				    expect, "backoff %u", b);
		expect = expect > RTO_MAX_US / 2 ? RTO_MAX_US : expect * 2;
	}
}

static struct kunit_case tdi_rtt_test_cases[] = {
	KUNIT_CASE(tdi_rtt_init_test),
	KUNIT_CASE(tdi_rtt_first_sample_test),
	KUNIT_CASE(tdi_rtt_steps_test),
	KUNIT_CASE(tdi_rtt_steady_test),
	KUNIT_CASE(tdi_rtt_clamp_test),
	KUNIT_CASE(tdi_rtt_granularity_test),
	KUNIT_CASE(tdi_rtt_zero_sample_test),
	KUNIT_CASE(tdi_rtt_huge_sample_test),
	KUNIT_CASE(tdi_rtt_reinit_test),
	KUNIT_CASE_PARAM(tdi_rto_backed_off_test, tdi_backoff_gen_params),
	KUNIT_CASE(tdi_rto_backoff_series_test),
	{}
};

static struct kunit_suite tdi_rtt_suite = {
	.name = "tdi_rtt",
	.test_cases = tdi_rtt_test_cases,
};

/* Sequence numbers are compared modulo 2^32, expedited numbers modulo 2^16. */

static void tdi_seq_before_after_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, tdi_seq_before(1, 2));
	KUNIT_EXPECT_FALSE(test, tdi_seq_before(2, 1));
	KUNIT_EXPECT_FALSE(test, tdi_seq_before(5, 5));
	KUNIT_EXPECT_TRUE(test, tdi_seq_before(0xffffffff, 0));
	KUNIT_EXPECT_FALSE(test, tdi_seq_before(0, 0xffffffff));
	KUNIT_EXPECT_TRUE(test, tdi_seq_before(0xfffffff0, 0x10));
	KUNIT_EXPECT_FALSE(test, tdi_seq_before(0x10, 0xfffffff0));
	KUNIT_EXPECT_TRUE(test, tdi_seq_before(0, 0x7fffffff));
	KUNIT_EXPECT_FALSE(test, tdi_seq_before(0x7fffffff, 0));
	KUNIT_EXPECT_TRUE(test, tdi_seq_before(0x7fffffff, 0x80000000));
	KUNIT_EXPECT_TRUE(test, tdi_seq_before(0x80000001, 0));

	KUNIT_EXPECT_TRUE(test, tdi_seq_after(2, 1));
	KUNIT_EXPECT_FALSE(test, tdi_seq_after(1, 2));
	KUNIT_EXPECT_FALSE(test, tdi_seq_after(5, 5));
	KUNIT_EXPECT_TRUE(test, tdi_seq_after(0, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, tdi_seq_after(0xffffffff, 0));
	KUNIT_EXPECT_TRUE(test, tdi_seq_after(0x10, 0xfffffff0));
	KUNIT_EXPECT_FALSE(test, tdi_seq_after(0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, tdi_seq_after(0x80000000, 0x7fffffff));
}

static void tdi_seq_leq_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, tdi_seq_leq(5, 5));
	KUNIT_EXPECT_TRUE(test, tdi_seq_leq(4, 5));
	KUNIT_EXPECT_FALSE(test, tdi_seq_leq(6, 5));
	KUNIT_EXPECT_TRUE(test, tdi_seq_leq(0xffffffff, 0));
	KUNIT_EXPECT_FALSE(test, tdi_seq_leq(0, 0xffffffff));
	KUNIT_EXPECT_TRUE(test, tdi_seq_leq(0xffffffff, 0xffffffff));
	KUNIT_EXPECT_TRUE(test, tdi_seq_leq(0xfffffff0, 0x10));
	KUNIT_EXPECT_FALSE(test, tdi_seq_leq(0x10, 0xfffffff0));
}

static void tdi_seq_in_test(struct kunit *test)
{
	/* [a, b) */
	KUNIT_EXPECT_TRUE(test, tdi_seq_in(10, 10, 20));
	KUNIT_EXPECT_TRUE(test, tdi_seq_in(19, 10, 20));
	KUNIT_EXPECT_FALSE(test, tdi_seq_in(20, 10, 20));
	KUNIT_EXPECT_FALSE(test, tdi_seq_in(9, 10, 20));
	KUNIT_EXPECT_FALSE(test, tdi_seq_in(5, 5, 5));	/* empty */
	/* across the wrap */
	KUNIT_EXPECT_TRUE(test, tdi_seq_in(0, 0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, tdi_seq_in(0xfffffff0, 0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, tdi_seq_in(0xffffffff, 0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, tdi_seq_in(0xf, 0xfffffff0, 0x10));
	KUNIT_EXPECT_FALSE(test, tdi_seq_in(0x10, 0xfffffff0, 0x10));
	KUNIT_EXPECT_FALSE(test, tdi_seq_in(0xffffffef, 0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, tdi_seq_in(0xffffffff, 0xfffffffe, 0));
	KUNIT_EXPECT_FALSE(test, tdi_seq_in(0, 0xfffffffe, 0));
	KUNIT_EXPECT_FALSE(test, tdi_seq_in(0x80000000, 0xfffffff0, 0x10));
}

static void tdi_seq_max_min_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, tdi_seq_max(1, 2), 2U);
	KUNIT_EXPECT_EQ(test, tdi_seq_max(2, 1), 2U);
	KUNIT_EXPECT_EQ(test, tdi_seq_max(3, 3), 3U);
	KUNIT_EXPECT_EQ(test, tdi_seq_max(0xffffffff, 0), 0U);
	KUNIT_EXPECT_EQ(test, tdi_seq_max(0, 0xffffffff), 0U);
	KUNIT_EXPECT_EQ(test, tdi_seq_max(0xfffffff0, 0x10), 0x10U);
	KUNIT_EXPECT_EQ(test, tdi_seq_min(1, 2), 1U);
	KUNIT_EXPECT_EQ(test, tdi_seq_min(2, 1), 1U);
	KUNIT_EXPECT_EQ(test, tdi_seq_min(3, 3), 3U);
	KUNIT_EXPECT_EQ(test, tdi_seq_min(0xffffffff, 0), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, tdi_seq_min(0, 0xffffffff), 0xffffffffU);
	KUNIT_EXPECT_EQ(test, tdi_seq_min(0x10, 0xfffffff0), 0xfffffff0U);
}

static void tdi_xseq_before_test(struct kunit *test)
{
	static const struct {
		u16 a;
		u16 b;
		bool before;
	} cases[] = {
		{ 1, 2, true },
		{ 2, 1, false },
		{ 7, 7, false },
		/* 16-bit wrap, not 32-bit */
		{ 0xffff, 0, true },
		{ 0, 0xffff, false },
		{ 0xfff0, 0x10, true },
		{ 0x10, 0xfff0, false },
		{ 0, 0x7fff, true },
		{ 0x7fff, 0, false },
		{ 0x8001, 0, true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    tdi_xseq_before(cases[i].a, cases[i].b),
				    cases[i].before, "%#x before %#x",
				    cases[i].a, cases[i].b);
}

static struct kunit_case tdi_seq_test_cases[] = {
	KUNIT_CASE(tdi_seq_before_after_test),
	KUNIT_CASE(tdi_seq_leq_test),
	KUNIT_CASE(tdi_seq_in_test),
	KUNIT_CASE(tdi_seq_max_min_test),
	KUNIT_CASE(tdi_xseq_before_test),
	{}
};

static struct kunit_suite tdi_seq_suite = {
	.name = "tdi_seq",
	.test_cases = tdi_seq_test_cases,
};

kunit_test_suites(&tdi_rtt_suite, &tdi_seq_suite);
