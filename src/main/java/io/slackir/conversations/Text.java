package io.slackir.conversations;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * User text as docs/protocol.md's text rules define it: not blank, at most {@link #max()} code points, valid Unicode,
 * and no control characters (a {@link #multiline()} text may hold newlines and tabs).
 */
@Retention(RUNTIME)
@Target({ FIELD, PARAMETER, RECORD_COMPONENT })
@Constraint(validatedBy = Text.Validator.class)
public @interface Text {

    /** The most code points the text may have (a surrogate pair is one). */
    int max();

    /** Whether newline and tab are allowed. */
    boolean multiline() default false;

    String message() default "must be valid text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Checks {@link Text} and names the first rule a text breaks, so a client can tell its user what to fix. */
    class Validator implements ConstraintValidator<Text, String> {

        private int max;
        private boolean multiline;

        @Override
        public void initialize(Text text) {
            max = text.max();
            multiline = text.multiline();
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            String broken = brokenRule(value);
            if (broken == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(broken).addConstraintViolation();
            return false;
        }

        private String brokenRule(String value) {
            if (value == null || value.isBlank()) {
                return "must not be blank";
            }
            int codePoints = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    // A lone surrogate cannot be encoded as UTF-8: PostgreSQL would refuse it after the broadcast
                    return "must be valid Unicode text";
                } else if (Character.getType(c) == Character.CONTROL && !(multiline && (c == '\n' || c == '\t'))) {
                    return multiline
                            ? "must not contain control characters other than newline and tab"
                            : "must not contain control characters";
                }
                codePoints++;
            }
            if (codePoints > max) {
                return "must be at most " + max + " characters";
            }
            return null;
        }
    }
}
