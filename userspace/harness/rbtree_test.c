// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * shim_rbtree: the shim's red-black tree (shim/rbtree.c) as callers use it.
 *
 * Harness-only (it tests the harness, not gomem): the kernel files trust
 * linux/rbtree.h to keep their trees ordered and balanced, and a
 * differential test of them does millions of operations, so the shim must
 * be right and O(log n).  Random inserts and erases are checked against a
 * sorted array of the keys: every lookup, then every few thousand
 * operations the whole order both ways (rb_first/rb_next,
 * rb_last/rb_prev), the red-black invariants (shim_rb_check()) and the
 * height, which a red-black tree keeps within 2 * log2(n + 1).  Sorted
 * inserts and erases from one end, the worst case of an unbalanced tree,
 * are checked the same way.
 */
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/rbtree.h>

#define NR_KEYS		(1U << 17)
#define RANDOM_OPS	100000U
#define CHECK_EVERY	4096U

struct item {
	struct rb_node node;
	u32 key;
	bool in_tree;	/* for the sorted case's batches */
	bool visited;	/* by the postorder walk */
};

/* The tree under test, its items (item i has key i), and the model. */
struct tree_fixture {
	struct rb_root root;
	struct item *items;
	u32 *keys;		/* sorted keys of the items in the tree */
	u32 nr;
	unsigned long full_checks;
	unsigned int max_height;
};

static struct item *item_of(struct rb_node *n)
{
	return rb_entry(n, struct item, node);
}

static struct item *lookup(const struct rb_root *root, u32 key)
{
	struct rb_node *n = root->rb_node;

	while (n) {
		struct item *it = item_of(n);

		if (key < it->key)
			n = n->rb_left;
		else if (key > it->key)
			n = n->rb_right;
		else
			return it;
	}
	return NULL;
}

/* The usual caller's insert: walk down to a NULL link, link, recolour. */
static bool insert(struct rb_root *root, struct item *it)
{
	struct rb_node **p = &root->rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		if (it->key < item_of(parent)->key)
			p = &parent->rb_left;
		else if (it->key > item_of(parent)->key)
			p = &parent->rb_right;
		else
			return false;
	}
	rb_link_node(&it->node, parent, p);
	rb_insert_color(&it->node, root);
	return true;
}

static unsigned int height(const struct rb_node *n)
{
	unsigned int l, r;

	if (!n)
		return 0;
	l = height(n->rb_left);
	r = height(n->rb_right);
	return 1 + (l > r ? l : r);
}

/* Index of the first model key >= @key. */
static u32 model_find(const struct tree_fixture *f, u32 key)
{
	u32 lo = 0, hi = f->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (f->keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool model_has(const struct tree_fixture *f, u32 key)
{
	u32 i = model_find(f, key);

	return i < f->nr && f->keys[i] == key;
}

static void model_insert(struct tree_fixture *f, u32 key)
{
	u32 i = model_find(f, key);

	memmove(&f->keys[i + 1], &f->keys[i], (f->nr - i) * sizeof(u32));
	f->keys[i] = key;
	f->nr++;
}

static void model_erase_at(struct tree_fixture *f, u32 i)
{
	memmove(&f->keys[i], &f->keys[i + 1], (f->nr - i - 1) * sizeof(u32));
	f->nr--;
}

/* The model from scratch: the keys of the items marked in_tree. */
static void model_rebuild(struct tree_fixture *f)
{
	u32 key;

	f->nr = 0;
	for (key = 0; key < NR_KEYS; key++)
		if (f->items[key].in_tree)
			f->keys[f->nr++] = key;
}

static void tree_insert(struct kunit *test, struct tree_fixture *f, u32 key)
{
	KUNIT_ASSERT_TRUE(test, insert(&f->root, &f->items[key]));
	model_insert(f, key);
}

static void tree_erase_at(struct kunit *test, struct tree_fixture *f, u32 i)
{
	rb_erase(&f->items[f->keys[i]].node, &f->root);
	model_erase_at(f, i);
}

/*
 * The whole tree against the model: order both ways, invariants, height.
 * A red-black tree of n nodes is at most 2 * log2(n + 1) high, that is
 * 2^h <= (n + 1)^2, compared exactly in integers.
 */
static void check_tree(struct kunit *test, struct tree_fixture *f)
{
	struct rb_node *n;
	unsigned int h;
	u64 span;
	u32 i;

	f->full_checks++;
	KUNIT_ASSERT_EQ(test, RB_EMPTY_ROOT(&f->root), f->nr == 0);
	for (i = 0, n = rb_first(&f->root); n; n = rb_next(n), i++) {
		KUNIT_ASSERT_LT(test, i, f->nr);
		KUNIT_ASSERT_EQ(test, item_of(n)->key, f->keys[i]);
	}
	KUNIT_ASSERT_EQ(test, i, f->nr);
	for (i = f->nr, n = rb_last(&f->root); n; n = rb_prev(n)) {
		KUNIT_ASSERT_GT(test, i, 0U);
		KUNIT_ASSERT_EQ(test, item_of(n)->key, f->keys[--i]);
	}
	KUNIT_ASSERT_EQ(test, i, 0U);
	KUNIT_ASSERT_GE_MSG(test, shim_rb_check(&f->root), 0,
			    "red-black invariants, %u nodes", f->nr);
	h = height(f->root.rb_node);
	if (h > f->max_height)
		f->max_height = h;
	span = (u64)f->nr + 1;
	KUNIT_ASSERT_LT_MSG(test, h, 64U, "height of %u nodes", f->nr);
	KUNIT_ASSERT_LE_MSG(test, 1ULL << h, span * span,
			    "height %u of %u nodes is over 2 * log2(n + 1)",
			    h, f->nr);
}

static int tree_init(struct kunit *test)
{
	struct tree_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	u32 i;

	if (!f)
		return -ENOMEM;
	f->items = kunit_kcalloc(test, NR_KEYS, sizeof(*f->items), GFP_KERNEL);
	f->keys = kunit_kcalloc(test, NR_KEYS, sizeof(*f->keys), GFP_KERNEL);
	if (!f->items || !f->keys)
		return -ENOMEM;
	for (i = 0; i < NR_KEYS; i++)
		f->items[i].key = i;
	f->root = RB_ROOT;
	test->priv = f;
	return 0;
}

/*
 * 100,000 random operations in three phases (growing, steady, shrinking),
 * then erase everything in random order.  Each operation also checks a
 * lookup of a random key against the model.
 */
static void random_ops_against_sorted_array(struct kunit *test)
{
	static const u32 insert_percent[] = { 75, 50, 30 };
	struct tree_fixture *f = test->priv;
	unsigned long inserts = 0, erases = 0;
	u32 op, key, want_insert;

	for (op = 0; op < RANDOM_OPS; op++) {
		key = get_random_u32_below(NR_KEYS);
		KUNIT_ASSERT_EQ_MSG(test, lookup(&f->root, key) != NULL,
				    model_has(f, key), "lookup of %u, op %u",
				    key, op);
		want_insert = insert_percent[op * ARRAY_SIZE(insert_percent) /
					     RANDOM_OPS];
		if (get_random_u32_below(100) < want_insert || !f->nr) {
			if (!model_has(f, key)) {
				tree_insert(test, f, key);
				inserts++;
			}
		} else if (get_random_u32_below(2)) {
			/* Erase a key the model has, found by index... */
			tree_erase_at(test, f, get_random_u32_below(f->nr));
			erases++;
		} else if (model_has(f, key)) {
			/* ...or the one just looked up, found by the tree. */
			rb_erase(&lookup(&f->root, key)->node, &f->root);
			model_erase_at(f, model_find(f, key));
			erases++;
		}
		if (op % CHECK_EVERY == CHECK_EVERY - 1)
			check_tree(test, f);
	}
	check_tree(test, f);
	kunit_info(test, "%lu inserts, %lu erases, %u left, height at most %u",
		   inserts, erases, f->nr, f->max_height);
	for (op = 0; f->nr; op++) {
		tree_erase_at(test, f, get_random_u32_below(f->nr));
		if (op % CHECK_EVERY == 0)
			check_tree(test, f);
	}
	check_tree(test, f);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&f->root));
	KUNIT_EXPECT_NULL(test, rb_first(&f->root));
	KUNIT_EXPECT_NULL(test, rb_last(&f->root));
}

/*
 * Sorted inserts and erases: a list, if the tree did not rebalance.  The
 * model is rebuilt from the items' marks before each check (inserting
 * into the middle of a sorted array one key at a time would be quadratic).
 */
static void batch_check(struct kunit *test, struct tree_fixture *f)
{
	model_rebuild(f);
	check_tree(test, f);
}

static void sorted_inserts_and_erases_stay_balanced(struct kunit *test)
{
	struct tree_fixture *f = test->priv;
	u32 key;

	for (key = 0; key < NR_KEYS / 2; key++) {
		KUNIT_ASSERT_TRUE(test, insert(&f->root, &f->items[key]));
		f->items[key].in_tree = true;
		if (key % CHECK_EVERY == 0)
			batch_check(test, f);
	}
	/* Descending into the upper half: the other rotation direction. */
	for (key = NR_KEYS - 1; key >= NR_KEYS / 2; key--) {
		KUNIT_ASSERT_TRUE(test, insert(&f->root, &f->items[key]));
		f->items[key].in_tree = true;
		if (key % CHECK_EVERY == 0)
			batch_check(test, f);
	}
	batch_check(test, f);
	KUNIT_ASSERT_EQ(test, f->nr, NR_KEYS);
	/* Erase every other key from the front, then the rest from the back. */
	for (key = 0; key < NR_KEYS; key += 2) {
		rb_erase(&f->items[key].node, &f->root);
		f->items[key].in_tree = false;
		if (key % CHECK_EVERY == 0)
			batch_check(test, f);
	}
	batch_check(test, f);
	KUNIT_ASSERT_EQ(test, f->nr, NR_KEYS / 2);
	while (f->nr) {
		KUNIT_ASSERT_EQ(test, item_of(rb_last(&f->root))->key,
				f->keys[f->nr - 1]);
		tree_erase_at(test, f, f->nr - 1);
		if (f->nr % CHECK_EVERY == 0)
			check_tree(test, f);
	}
	check_tree(test, f);
	kunit_info(test, "%lu full checks, height at most %u",
		   f->full_checks, f->max_height);
}

static bool item_less(struct rb_node *a, const struct rb_node *b)
{
	return item_of(a)->key < rb_entry(b, struct item, node)->key;
}

static int item_cmp(const void *key, const struct rb_node *n)
{
	u32 k = *(const u32 *)key, nk = rb_entry(n, struct item, node)->key;

	return k < nk ? -1 : k > nk;
}

/*
 * The rest of the interface: RB_CLEAR_NODE/RB_EMPTY_NODE,
 * rb_replace_node(), postorder teardown, rb_add()/rb_find(), rb_entry_safe().
 */
static void replace_postorder_and_helpers(struct kunit *test)
{
	struct tree_fixture *f = test->priv;
	struct item *twins, *pos, *n;
	unsigned long visited = 0;
	u32 i, key;

	twins = kunit_kcalloc(test, 1000, sizeof(*twins), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, twins);
	RB_CLEAR_NODE(&f->items[0].node);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_NODE(&f->items[0].node));
	KUNIT_EXPECT_NULL(test, rb_next(&f->items[0].node));
	KUNIT_EXPECT_NULL(test, rb_prev(&f->items[0].node));
	KUNIT_EXPECT_NULL(test, rb_entry_safe(rb_first(&f->root), struct item,
					      node));

	for (i = 0; i < 1000; i++) {
		key = (i * 7919) % 1000;	/* 0..999, scrambled */
		rb_add(&f->items[key].node, &f->root, item_less);
		KUNIT_EXPECT_FALSE(test, RB_EMPTY_NODE(&f->items[key].node));
		model_insert(f, key);
	}
	check_tree(test, f);
	for (key = 0; key < 1000; key++)
		KUNIT_ASSERT_PTR_EQ(test, rb_find(&key, &f->root, item_cmp),
				    &f->items[key].node);
	key = 1000;
	KUNIT_EXPECT_NULL(test, rb_find(&key, &f->root, item_cmp));

	/* Every third item gives its place to a twin of the same key. */
	for (key = 0; key < 1000; key += 3) {
		twins[key].key = key;
		rb_replace_node(&f->items[key].node, &twins[key].node, &f->root);
	}
	for (key = 0; key < 1000; key++)
		KUNIT_ASSERT_PTR_EQ(test, lookup(&f->root, key),
				    key % 3 ? &f->items[key] : &twins[key]);
	check_tree(test, f);

	/* Postorder: each node once, after both of its children. */
	rbtree_postorder_for_each_entry_safe(pos, n, &f->root, node) {
		KUNIT_ASSERT_FALSE(test, pos->visited);
		if (pos->node.rb_left)
			KUNIT_ASSERT_TRUE(test, item_of(pos->node.rb_left)->visited);
		if (pos->node.rb_right)
			KUNIT_ASSERT_TRUE(test, item_of(pos->node.rb_right)->visited);
		pos->visited = true;
		visited++;
	}
	KUNIT_EXPECT_EQ(test, visited, 1000UL);
	f->root = RB_ROOT;
	visited = 0;
	rbtree_postorder_for_each_entry_safe(pos, n, &f->root, node)
		visited++;
	KUNIT_EXPECT_EQ(test, visited, 0UL);
}

static struct kunit_case shim_rbtree_cases[] = {
	KUNIT_CASE(random_ops_against_sorted_array),
	KUNIT_CASE(sorted_inserts_and_erases_stay_balanced),
	KUNIT_CASE(replace_postorder_and_helpers),
	{}
};

static struct kunit_suite shim_rbtree_suite = {
	.name = "shim_rbtree",
	.init = tree_init,
	.test_cases = shim_rbtree_cases,
};

kunit_test_suites(&shim_rbtree_suite);
