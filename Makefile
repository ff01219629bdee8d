# stance: one flat Makefile. `make` builds bin/stance and build/libstance.a,
# `make test` runs every test, `make models` retrains the shipped models.
CC ?= cc
PREFIX ?= /usr/local
PKGS = libutf8proc libcjson
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
ifdef SANITIZE
CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
ifdef WERROR
WARN += -Werror
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
LIB_OBJ = $(LIB_SRC:pipeline/%.c=build/%.o)
CLI_OBJ = $(CLI_SRC:pipeline/%.c=build/%.o)

all: bin/stance build/libstance.a

build/%.o: pipeline/%.c | build
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c -o $@ $<

build/libstance.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

bin/stance: $(CLI_OBJ) build/libstance.a | bin
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) build/libstance.a $(LDLIBS)

build bin:
	mkdir -p $@

clean:
	rm -rf build bin

.PHONY: all clean
-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)
