package io.slackir.conversations;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import java.lang.annotation.Retention;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/**
 * User text as docs/protocol.md's text rules define it: not blank, at most {@link #max()} code points, valid Unicode, and no
 * control characters (a {@link #multiline()} text may hold newlines and tabs).
 */
@Retention(RUNTIME)
@Target({ FIELD, PARAMETER, RECORD_COMPONENT })
@Constraint(validatedBy = TextValidator.class)
public @interface Text {

    /** The most code points the text may have (a surrogate pair is one). */
    int max();

    /** Whether newline and tab are allowed. */
    boolean multiline() default false;

    String message() default "must be valid text";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
