package io.slackir.conversations;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/** Checks {@link Text} and names the first rule a text breaks, so a client can tell its user what to fix. */
public class TextValidator implements ConstraintValidator<Text, String> {

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
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
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
