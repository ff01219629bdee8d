# stance: one flat Makefile.
#   make               bin/stance and build/libstance.a
#   make test          every test; SANITIZE=1 runs them under ASan+UBSan
#   make memcheck      the golden tests under valgrind
#   make models        retrain the shipped models from the train split
#   make screenshot    tests/report-screenshot.png, the report in headless Chromium
#   make install PREFIX=...   and make uninstall
CC ?= cc
PREFIX ?= /usr/local
PKGS = libutf8proc libcjson
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
# a*b+c fused on one machine and not another would change model files and
# predictions in the last bit
CFLAGS += -ffp-contract=off
ifdef WERROR
WARN += -Werror
endif
ifdef SANITIZE
BUILD = build/asan
BIN = build/asan/stance
CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
else
BUILD = build
BIN = bin/stance
endif
CPPFLAGS += -Iinclude -Ipipeline $(shell pkg-config --cflags $(PKGS)) -MMD -MP
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lsvm -lm

LIB_SRC = pipeline/buf.c pipeline/paragraphs.c pipeline/tokenizer.c \
          pipeline/keymap.c pipeline/ngram.c pipeline/record.c \
          pipeline/features.c pipeline/model.c pipeline/svm_file.c \
          pipeline/metrics.c pipeline/train.c
CLI_SRC = pipeline/stance.c pipeline/cli.c pipeline/cli_articles.c \
          pipeline/cli_records.c pipeline/cli_predict.c \
          pipeline/cmd_tokenize.c pipeline/cmd_ngrams.c pipeline/cmd_train.c \
          pipeline/cmd_classify.c pipeline/cmd_label.c pipeline/cmd_eval.c
# article summaries, model cards and the HTML report
CLI_SRC += pipeline/cli_summary.c pipeline/cmd_summarize.c pipeline/cmd_model.c \
           pipeline/cmd_report.c pipeline/report_assets.c
UNIT_SRC = $(wildcard tests/unit/*.c)
LIB_OBJ = $(LIB_SRC:pipeline/%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:pipeline/%.c=$(BUILD)/%.o)
UNIT_OBJ = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit-%.o)

all: $(BIN) $(BUILD)/libstance.a

$(BUILD)/%.o: pipeline/%.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/unit-%.o: tests/unit/%.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

$(BUILD)/libstance.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BIN): $(CLI_OBJ) $(BUILD)/libstance.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libstance.a $(LDLIBS)

$(BUILD)/unit: $(UNIT_OBJ) $(BUILD)/libstance.a
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libstance.a $(LDLIBS)

$(BUILD):
	mkdir -p $@

test: $(BIN) $(BUILD)/unit
	@sh tests/run.sh $(BIN) $(BUILD)/unit

# Rewrites the golden outputs from the current program: review the diff.
golden-update: $(BIN)
	@for c in tests/golden/*.cmd; do STANCE=$(CURDIR)/$(BIN) ROOT=$(CURDIR) \
	    TMPDIR=$$(mktemp -d) UPDATE=1 sh tests/golden.sh $$c; done

memcheck: $(BIN)
	@for c in tests/golden/*.cmd; do \
	    STANCE="valgrind -q --leak-check=full --error-exitcode=99 $(CURDIR)/$(BIN)" \
	    ROOT=$(CURDIR) TMPDIR=$$(mktemp -d) sh tests/golden.sh $$c; done | tee build/memcheck.log; \
	    ! grep -q '^FAIL' build/memcheck.log

# Fuzzing with libFuzzer (clang, libclang-rt-14-dev): each harness in
# tests/fuzz/ runs FUZZ_SECONDS (default 60) from its seed corpus
# tests/fuzz/corpus-NAME; new inputs gather in build/fuzz/corpus-NAME, a
# crashing input lands in build/fuzz/NAME-crash-* and fails the target.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
             -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CPPFLAGS = -Iinclude -Ipipeline $(shell pkg-config --cflags $(PKGS))
FUZZ = text record model
FUZZ_DEPS = $(LIB_SRC) include/stance.h $(wildcard pipeline/*.h)

build/fuzz/fuzz_text build/fuzz/fuzz_model: build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CPPFLAGS) -o $@ $< $(LIB_SRC) $(LDLIBS)

# the record harness reads fields with the command line's own readers
build/fuzz/fuzz_record: tests/fuzz/fuzz_record.c $(FUZZ_DEPS) $(CLI_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_CPPFLAGS) -o $@ $< $(LIB_SRC) \
	    $(filter-out pipeline/stance.c,$(CLI_SRC)) $(LDLIBS)

fuzz: $(FUZZ:%=build/fuzz/fuzz_%)
	@for h in $(FUZZ); do \
	    mkdir -p build/fuzz/corpus-$$h; \
	    echo "fuzz_$$h: $(FUZZ_SECONDS) s (log: build/fuzz/$$h.log)"; \
	    case $$h in text) len=2048 ;; record) len=8192 ;; *) len=0 ;; esac; \
	    build/fuzz/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -timeout=20 -max_len=$$len \
	        -print_final_stats=1 -artifact_prefix=build/fuzz/$$h- \
	        build/fuzz/corpus-$$h tests/fuzz/corpus-$$h > build/fuzz/$$h.log 2>&1 || \
	        { tail -n 40 build/fuzz/$$h.log; exit 1; }; \
	    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units' build/fuzz/$$h.log; \
	done
.PHONY: fuzz

# The report of the sample articles as headless Chromium draws it, kept in
# the repository for review: rerun after changing the page.
screenshot: $(BIN)
	@sh tests/screenshot.sh $(CURDIR)/$(BIN) tests/report-screenshot.png

MODEL_FLAGS = --grid --cv 5 --seed 1 -q
models: $(BIN)
	mkdir -p models
	$(BIN) train -f stance -o models/stance $(MODEL_FLAGS) fixtures/corpus/train.jsonl > /dev/null
	$(BIN) train -f sentiment -o models/sentiment $(MODEL_FLAGS) fixtures/corpus/train.jsonl > /dev/null

# stance against fastText, scikit-learn and libsvm (installs them if
# missing; about 20 minutes; BENCH_MB, BENCH_RUNS, BENCH_SIZES, BENCH_BIG:
# see tests/bench/bench.sh); the table lands in build/bench.md.
bench: $(BIN) $(BUILD)/libstance.a
	@sh tests/bench/bench.sh

# the shipped models against scikit-learn and fastText on the same split;
# the table lands in build/compare.md.
compare: $(BIN)
	@sh tests/compare.sh
.PHONY: bench compare

# Installing: the program, its manual, the library with its header and a
# pkg-config file, and the shipped models in PREFIX/share/stance/models,
# where the installed program looks when no -m is given. DESTDIR stages a
# package; `make uninstall` (same PREFIX and DESTDIR) removes exactly these.
bindir = $(PREFIX)/bin
libdir = $(PREFIX)/lib
includedir = $(PREFIX)/include
mandir = $(PREFIX)/share/man
modeldir = $(PREFIX)/share/stance/models
INSTALL ?= install
MODELS = stance sentiment
MODEL_FILES = manifest.json vocab.tsv svm.model
VERSION = $(shell sed -n 's/.*define STANCE_VERSION "\(.*\)"/\1/p' include/stance.h)

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir)/pkgconfig \
	    $(DESTDIR)$(includedir) $(DESTDIR)$(mandir)/man1
	$(INSTALL) -m 755 $(BIN) $(DESTDIR)$(bindir)/stance
	$(INSTALL) -m 644 $(BUILD)/libstance.a $(DESTDIR)$(libdir)/libstance.a
	$(INSTALL) -m 644 include/stance.h $(DESTDIR)$(includedir)/stance.h
	$(INSTALL) -m 644 man/stance.1 $(DESTDIR)$(mandir)/man1/stance.1
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
	    'includedir=$${prefix}/include' '' 'Name: stance' \
	    'Description: label news paragraphs by stance and sentiment' \
	    'Version: $(VERSION)' 'Requires: $(PKGS)' \
	    'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lstance -lsvm -lm' \
	    > $(DESTDIR)$(libdir)/pkgconfig/stance.pc
	@for m in $(MODELS); do \
	    if [ ! -f models/$$m/manifest.json ]; then \
	        echo "note: no models/$$m (make models); installing without it"; continue; fi; \
	    echo "installing models/$$m in $(DESTDIR)$(modeldir)/$$m"; \
	    $(INSTALL) -d $(DESTDIR)$(modeldir)/$$m && \
	    for f in $(MODEL_FILES); do \
	        $(INSTALL) -m 644 models/$$m/$$f $(DESTDIR)$(modeldir)/$$m/$$f || exit 1; \
	    done; \
	done

uninstall:
	rm -f $(DESTDIR)$(bindir)/stance $(DESTDIR)$(libdir)/libstance.a \
	    $(DESTDIR)$(libdir)/pkgconfig/stance.pc $(DESTDIR)$(includedir)/stance.h \
	    $(DESTDIR)$(mandir)/man1/stance.1
	@for m in $(MODELS); do \
	    for f in $(MODEL_FILES); do rm -f $(DESTDIR)$(modeldir)/$$m/$$f; done; \
	    rmdir $(DESTDIR)$(modeldir)/$$m 2> /dev/null || true; \
	done
	@# only when empty: models someone added stay
	@rmdir $(DESTDIR)$(modeldir) $(DESTDIR)$(PREFIX)/share/stance 2> /dev/null || true

.PHONY: install uninstall

clean:
	rm -rf build bin

.PHONY: all test golden-update memcheck models clean screenshot
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
